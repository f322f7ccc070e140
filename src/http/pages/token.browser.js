// Runs in the browser, on the viewer and dashboard pages: their own files are open to anyone, but
// the data they show needs an admin token (unless --public-metrics). When the server refuses a
// request, a form asks for a token; it is kept in this tab's session storage and sent as a bearer
// token with this page's requests to its own server.
;(() => {
  const STORAGE = 'fastcache-token'
  let token = sessionStorage.getItem(STORAGE)
  let asking

  /** Shows the form and resolves with what the user pasted. */
  function ask(message) {
    asking ??= new Promise((resolve) => {
      const form = document.createElement('form')
      form.className = 'fastcache-token'
      form.innerHTML =
        '<label>Token <input type="password" autocomplete="off" required></label> <button type="submit">Use</button> <span></span>'
      form.querySelector('span').textContent = message
      form.addEventListener('submit', (event) => {
        event.preventDefault()
        token = form.querySelector('input').value.trim()
        sessionStorage.setItem(STORAGE, token)
        form.remove()
        asking = undefined
        resolve()
      })
      document.body.prepend(form)
      form.querySelector('input').focus()
    })
    return asking
  }

  const withToken = (init = {}) => {
    const headers = new Headers(init.headers)
    if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`)
    return { ...init, headers }
  }

  // The page says whether its data needs a token: ask before the first request rather than after a refusal.
  const needed = document.querySelector('meta[name="fastcache-token"]')?.getAttribute('content') === 'needed'
  const ready = needed && !token ? ask('this page needs an admin token') : Promise.resolve()

  /** fetch, with the token; a 401 or 403 asks for one (again) and tries once more. */
  async function authorizedFetch(url, init) {
    await ready
    for (;;) {
      const response = await fetch(url, withToken(init))
      if (response.status !== 401 && response.status !== 403) return response
      await ask(response.status === 401 ? 'this page needs an admin token' : 'that token may not read this: an admin token is needed')
    }
  }

  window.fastcacheAuth = { fetch: authorizedFetch, header: () => (token ? `Bearer ${token}` : undefined) }
})()
