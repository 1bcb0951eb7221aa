// Nuanxin phone pages: a small service worker. It keeps the offline page and shows it when a page cannot
// be fetched. It never stores a worker's own pages: they hold pay and names, and a shared or lost phone
// should not show them without the network and a session.
//
// One exception, the courier's run (/m/run/): a courier on a weak network must be able to open her
// stops again. The last copy fetched is kept (network first, that copy when the network fails) for the
// day it was made (X-Run-Day) only, and it is deleted when she signs out or her sign-in has ended.
const CACHE = "nuanxin-m-{{ version }}";
const RUN_CACHE = "nuanxin-run";
const OFFLINE = "/m/offline/";
const RUN = "/m/run/";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.add(new Request(OFFLINE, { cache: "reload" }))).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("nuanxin-m-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

const today = () => {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

const runPage = (request) =>
  fetch(request)
    .then((response) => {
      if (response.ok && !response.redirected && response.headers.get("X-Run-Day")) {
        const copy = response.clone();
        caches.open(RUN_CACHE).then((cache) => cache.put(RUN, copy));
      } else if (response.redirected) {
        caches.delete(RUN_CACHE); // signed out, or not a courier any more
      }
      return response;
    })
    .catch(() =>
      caches.open(RUN_CACHE)
        .then((cache) => cache.match(RUN, { ignoreVary: true, ignoreSearch: true }))
        .then((hit) => (hit && hit.headers.get("X-Run-Day") === today() ? hit : caches.match(OFFLINE)))
    );

self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate") return;
  const url = new URL(event.request.url);
  if (url.pathname === "/m/logout/") {
    event.waitUntil(caches.delete(RUN_CACHE));
    return;
  }
  if (url.pathname === RUN && event.request.method === "GET") {
    event.respondWith(runPage(event.request));
    return;
  }
  event.respondWith(fetch(event.request).catch(() => caches.match(OFFLINE)));
});
