/** Pages of today's web for the discovery journeys, shared by the Chromium and Firefox suites. */

export const htmlPage = (title: string, body: string, script = '') =>
  `<!doctype html><html lang="en"><head><title>${title}</title></head><body>${body}` +
  (script ? `<script>${script}</script>` : '') +
  '</body></html>';

/** An article whose script adds a link at 300 ms and another at 3 s (served at late.test). */
export const LATE_LINKS_PAGE = htmlPage(
  'Late links',
  '<main id="article"><p>Intro with <a href="http://target.test/first">a link from the start</a>.</p></main>',
  `const add = (href, text, ms) => setTimeout(() => {
     const a = document.createElement('a'); a.href = href; a.textContent = text;
     const p = document.createElement('p'); p.append(a);
     document.getElementById('article').append(p);
   }, ms);
   add('http://target.test/at-300ms', 'added at 300 ms', 300);
   add('http://target.test/at-3s', 'added at 3 s', 3000);`,
);

/**
 * A single-page app (served at spa.test / and /about): in-app links push a URL and render the
 * view a moment later; /about adds a link 800 ms after that.
 */
export const SPA_PAGE = htmlPage(
  'Shop app',
  `<nav><a href="/" data-route>Home</a> <a href="/about" data-route>About us</a></nav>
   <main id="view"></main>`,
  `const views = {
     '/': '<h1>Home</h1><p><a href="http://target.test/from-home">Our supplier</a></p>',
     '/about': '<h1>About</h1><p><a href="http://target.test/from-about">Our roaster</a></p>',
   };
   function render() {
     const path = location.pathname;
     document.title = path === '/' ? 'Shop app' : 'About · Shop app';
     // Frameworks render after the URL changed, often a moment later.
     setTimeout(() => {
       document.getElementById('view').innerHTML = views[path] ?? '<h1>Not found</h1>';
       if (path === '/about') setTimeout(() => {
         const p = document.createElement('p');
         p.innerHTML = '<a href="http://target.test/about-late">Press kit</a>';
         document.getElementById('view').append(p);
       }, 800);
     }, 50);
   }
   document.addEventListener('click', (e) => {
     const a = e.target.closest('a[data-route]');
     if (!a) return;
     e.preventDefault();
     history.pushState({}, '', a.getAttribute('href'));
     render();
   });
   addEventListener('popstate', render);
   render();`,
);
