// The browser beacon: queues the page's events and sends them to the tracker in batches
// (every 5 s, and when the page is hidden or left) with navigator.sendBeacon.
// No cookie, no storage: the page id lives in memory for this page load only. Nothing at all is
// sent when the browser signals Global Privacy Control or Do Not Track. Never throws.
const MAX_EVENTS = 50;
const MAX_BYTES = 16384;
const FLUSH_MS = 5000;

const uuid = () =>
  crypto.randomUUID
    ? crypto.randomUUID()
    : // randomUUID needs a secure context; this is the same uuid4 from getRandomValues.
      "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
        (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16),
      );

const bytes = (text) => new Blob([text]).size;

/** A beacon posting to `endpoint`; `track(type, fields)` queues one event. */
export function createBeacon(endpoint) {
  const nav = navigator;
  if (nav.globalPrivacyControl === true || nav.doNotTrack === "1") return { track() {} };
  const page = uuid();
  const head = `{"v":1,"page":"${page}","events":[`;
  const queue = []; // events already serialised, so one bad event can't break a flush
  let timer = 0;

  const send = (events) => {
    const body = head + events.join(",") + "]}";
    try {
      if (nav.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }))) return;
    } catch {}
    try {
      fetch(endpoint, {
        method: "POST",
        body,
        keepalive: true,
        credentials: "omit",
        headers: { "Content-Type": "text/plain" },
      }).catch(() => {});
    } catch {}
  };

  // Sends the queue in requests of at most MAX_EVENTS events and MAX_BYTES bytes.
  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    let batch = [];
    let size = bytes(head) + 2;
    const empty = size;
    for (const event of queue.splice(0)) {
      const extra = bytes(event) + 1;
      if (empty + extra > MAX_BYTES) continue; // can never fit: drop it
      if (batch.length === MAX_EVENTS || size + extra > MAX_BYTES) {
        send(batch);
        batch = [];
        size = empty;
      }
      batch.push(event);
      size += extra;
    }
    if (batch.length) send(batch);
  };

  addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });

  return {
    track(type, fields) {
      try {
        queue.push(JSON.stringify({ ...fields, id: uuid(), type, at: new Date().toISOString() }));
        if (queue.length >= MAX_EVENTS) flush();
        else if (!timer) timer = setTimeout(flush, FLUSH_MS);
      } catch {}
    },
  };
}
