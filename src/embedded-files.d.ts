// Files the binary carries, imported `with { type: 'file' }`: Bun gives their path, not a module.
// (Only these names: a wider pattern would hide a missing type declaration of a real module.)

declare module '*.browser.js' {
  const path: string
  export default path
}

declare module '*.css' {
  const path: string
  export default path
}

declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const path: string
  export default path
}

declare module 'uplot/dist/uPlot.iife.min.js' {
  const path: string
  export default path
}
