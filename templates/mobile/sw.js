// Nuanxin worker pages: a small service worker. It keeps one page, the offline page, and shows it when
// a page cannot be fetched. It never stores a worker's own pages: they hold pay and names, and a shared
// or lost phone should not show them without the network and a session.
const CACHE = "nuanxin-m-{{ version }}";
const OFFLINE = "/m/offline/";

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

self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate") return;
  event.respondWith(fetch(event.request).catch(() => caches.match(OFFLINE)));
});
