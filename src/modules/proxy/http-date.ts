// HTTP-date (RFC 9110 section 5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms that
// recipients must still accept. Anything else is not a date: Date.parse would take far more (`UTC`,
// dashes, one-digit hours), and an Expires it took would make a response fresh that is not.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const SHORT_DAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
const LONG_DAYS = new Set(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])

// Names are matched without regard to case (RFC 9110 section 5.6.7 says recipients may).
const IMF_FIXDATE = /^([a-z]{3}), (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/i
const RFC_850 = /^([a-z]{6,9}), (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/i
const ASCTIME = /^([a-z]{3}) ([a-z]{3}) ( \d|\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i

/** The instant an HTTP-date names (epoch ms), or undefined when the text is none of its three forms. */
export function parseHttpDate(text: string | null, now = Date.now()): number | undefined {
  if (text === null) return undefined
  let match = IMF_FIXDATE.exec(text)
  if (match !== null) {
    const [, day, date, month, year, hour, minute, second] = match
    return SHORT_DAYS.has(day!.toLowerCase()) ? instant(+year!, month!, +date!, +hour!, +minute!, +second!) : undefined
  }
  match = RFC_850.exec(text)
  if (match !== null) {
    const [, day, date, month, year, hour, minute, second] = match
    if (!LONG_DAYS.has(day!.toLowerCase())) return undefined
    return instant(fullYear(+year!, now), month!, +date!, +hour!, +minute!, +second!)
  }
  match = ASCTIME.exec(text)
  if (match !== null) {
    const [, day, month, date, hour, minute, second, year] = match
    return SHORT_DAYS.has(day!.toLowerCase()) ? instant(+year!, month!, +date!.trim(), +hour!, +minute!, +second!) : undefined
  }
  return undefined
}

/** RFC 850's two-digit year: the most recent year with those digits that is not more than 50 years ahead. */
function fullYear(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear()
  let year = thisYear - (thisYear % 100) + twoDigits
  if (year > thisYear + 50) year -= 100
  return year
}

function instant(year: number, monthName: string, date: number, hour: number, minute: number, second: number): number | undefined {
  const month = MONTHS.indexOf(monthName.toLowerCase())
  // A leap second (60) is allowed by the grammar; it is read as the next second.
  if (month < 0 || hour > 23 || minute > 59 || second > 60 || date < 1) return undefined
  const at = Date.UTC(year, month, date, hour, minute, second)
  // Date.UTC rolls 31 Feb over into March: such a date is not valid.
  return new Date(Date.UTC(year, month, date)).getUTCDate() === date ? at : undefined
}
