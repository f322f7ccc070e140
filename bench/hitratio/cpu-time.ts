/**
 * CPU ms of this process (user time, all its threads, so the collector's too), not wall time: on a
 * shared machine, time spent descheduled says nothing about the code under test.
 */
export const cpuMs = (): number => process.cpuUsage().user / 1000
