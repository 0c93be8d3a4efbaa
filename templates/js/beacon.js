// The browser beacon: queues the page's events and posts them to the tracker, one request at a
// time, in batches of at most 50 events and 16 KiB (DESIGN.md): every 5 s, or at once when 50
// are waiting. Events the tracker could not take (a network error, 429, 5xx) stay in memory and
// go again after its Retry-After (seconds or an HTTP date; at least 1 s, at most 1 h) or else an
// exponential backoff (1 s doubling to 1 min); the tracker dedupes by event id, so a resend that
// may have reached it is safe. Answered events (2xx, or a 4xx such as 400/413, which would fail
// again) are never sent again. At most 500 events wait: beyond that the oldest are dropped.
// When the page is hidden or left, what is queued goes with navigator.sendBeacon, whose answer
// can't be read: while the tracker is failing, those events also stay for the next retry.
// No cookie, no storage: the page id and the queue live in memory for this page load only.
// Nothing at all is sent under Global Privacy Control or Do Not Track. Never throws.
const MAX_EVENTS = 50;
const MAX_BYTES = 16384;
const MAX_QUEUE = 500;
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
  const head = `{"v":1,"page":"${uuid()}","events":[`;
  let queue = []; // events already serialised (one bad event can't break a flush), oldest first
  let unsure = []; // handed to sendBeacon while the tracker failed: the next flush resends them
  let timer = 0;
  let busy = 0; // a request is in flight
  let backoff = 0; // the last retry delay in ms; 0 while the tracker answers

  const wrap = (events) => head + events.join(",") + "]}";
  const cap = () => queue.splice(0, queue.length - MAX_QUEUE);

  // Takes the oldest events that fit in one request (an event too big on its own is dropped).
  const take = () => {
    const batch = [];
    for (let size = bytes(head) + 2; queue.length && batch.length < MAX_EVENTS; ) {
      const extra = bytes(queue[0]) + 1;
      if (size + extra <= MAX_BYTES) batch.push(queue.shift()), (size += extra);
      else if (batch.length) break;
      else queue.shift();
    }
    return batch;
  };

  // Puts a batch the tracker did not take back in front, and waits before the next try.
  const retry = (failure, batch) => {
    queue = batch.concat(queue);
    cap();
    const after = failure.headers?.get("Retry-After");
    const wait = (+after >= 0 ? after * 1e3 : Date.parse(after) - Date.now()) || 0;
    backoff = Math.min(backoff * 2 || 1e3, 6e4);
    clearTimeout(timer);
    timer = setTimeout(flush, Math.min(Math.max(wait || backoff, 1e3), 36e5));
  };

  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    queue = unsure.concat(queue);
    unsure = [];
    cap();
    if (busy) return; // the answer to the request in flight flushes again
    const batch = take();
    if (!batch.length) return;
    busy = 1;
    // no-cors: a same-origin answer is still readable; a cross-origin one is opaque (status 0)
    // and counts as answered, since the tracker does not send CORS headers.
    fetch(endpoint, {
      method: "POST",
      body: wrap(batch),
      keepalive: true,
      mode: "no-cors",
      credentials: "omit",
      headers: { "Content-Type": "text/plain" },
    }).then(
      (response) => {
        busy = 0;
        if (response.status === 429 || response.status > 499) retry(response, batch);
        else (backoff = 0), flush();
      },
      (error) => {
        busy = 0;
        retry(error, batch);
      },
    );
  };

  const hide = () => {
    for (let batch; (batch = take()).length; ) {
      let sent = false;
      try {
        sent = nav.sendBeacon(endpoint, new Blob([wrap(batch)], { type: "text/plain" }));
      } catch {}
      if (!sent || backoff) unsure.push(...batch);
    }
  };

  addEventListener("pagehide", hide);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") hide();
  });

  return {
    track(type, fields) {
      try {
        queue.push(JSON.stringify({ ...fields, id: uuid(), type, at: new Date().toISOString() }));
        cap();
        if (queue.length >= MAX_EVENTS && !backoff) flush();
        else if (!timer) timer = setTimeout(flush, FLUSH_MS);
      } catch {}
    },
  };
}
