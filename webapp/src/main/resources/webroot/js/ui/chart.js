// Chart.js comes from its WebJar and is loaded only when a chart is about to be drawn, so it never
// delays the first paint of a page.
const CHART_URL = new URL('webjars/chart.js/4.5.1/dist/chart.umd.min.js', document.baseURI).href;
let loading = null;

export function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = CHART_URL;
      script.async = true;
      script.onload = () => resolve(window.Chart);
      script.onerror = () => { loading = null; reject(new Error('Chart.js could not be loaded from /webjars/.')); };
      document.head.append(script);
    });
  }
  return loading;
}

export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
