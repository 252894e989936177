/** The console page, bundled as text by tsup (`loader: { '.html': 'text' }`). */
declare module '*.html' {
  const text: string;
  export default text;
}
