// The browser beacon: queues the page's events and posts them to the tracker in batches of at
// most 50 events and 16 KiB (DESIGN.md): every 5 s, at once when 50 are waiting, and a backlog
// one batch after another. Events the tracker could not take (a network error, 429, 5xx) stay in memory and
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
  const room = MAX_BYTES - bytes(head) - 2; // for the events and their commas
  // Events already serialised (one bad event can't break a flush), oldest first. An event
  // leaves the queue only once the tracker answered it, or when the cap drops it.
  let queue = [];
  const flight = new Set(); // queued events in a fetch whose answer hasn't come yet
  let timer = 0;
  let backoff = 0; // the last retry delay in ms; 0 while the tracker answers
  let beaconed = false; // pagehide and visibilitychange both come when a page is left: one flush

  const wrap = (events) => head + events.join(",") + "]}";
  const waiting = () => queue.filter((event) => !flight.has(event));
  const forget = (batch) => (queue = queue.filter((event) => !batch.includes(event)));

  // Splits events, oldest first, into requests within the envelope's limits.
  const split = (events) => {
    const batches = [];
    let batch = [];
    let size = 0;
    for (const event of events) {
      const extra = bytes(event) + 1;
      if (batch.length === MAX_EVENTS || size + extra > room) {
        batches.push(batch);
        batch = [];
        size = 0;
      }
      batch.push(event);
      size += extra;
    }
    if (batch.length) batches.push(batch);
    return batches;
  };

  // Waits before the next try: Retry-After if the answer has one, else the backoff.
  const retry = (failure) => {
    const after = failure.headers?.get("Retry-After");
    const wait = (+after >= 0 ? after * 1e3 : Date.parse(after) - Date.now()) || 0;
    backoff = Math.min(backoff * 2 || 1e3, 6e4);
    clearTimeout(timer);
    timer = setTimeout(flush, Math.min(Math.max(wait || backoff, 1e3), 36e5));
  };

  // Posts the oldest waiting events (one request); a backlog follows once it is answered.
  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    beaconed = false;
    const [batch] = split(waiting());
    if (!batch) return;
    for (const event of batch) flight.add(event);
    const answered = () => batch.forEach((event) => flight.delete(event));
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
        answered();
        if (response.status === 429 || response.status > 499) return retry(response);
        backoff = 0;
        forget(batch);
        if (waiting().length) flush();
      },
      (error) => {
        answered();
        retry(error);
      },
    );
  };

  // The page may never run again: everything waiting goes with sendBeacon. Its answer can't be
  // read, so while the tracker is failing the events also stay queued for the next retry.
  const hide = () => {
    if (beaconed) return;
    beaconed = true;
    for (const batch of split(waiting())) {
      let sent = false;
      try {
        sent = nav.sendBeacon(endpoint, new Blob([wrap(batch)], { type: "text/plain" }));
      } catch {}
      if (sent && !backoff) forget(batch);
    }
  };

  addEventListener("pagehide", hide);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") hide();
  });

  return {
    track(type, fields) {
      try {
        const event = JSON.stringify({ ...fields, id: uuid(), type, at: new Date().toISOString() });
        if (bytes(event) >= room) return; // could never be sent
        queue.push(event);
        queue.splice(0, queue.length - MAX_QUEUE); // the cap: the oldest go first
        beaconed = false;
        if (waiting().length >= MAX_EVENTS && !backoff) flush();
        else if (!timer) timer = setTimeout(flush, FLUSH_MS);
      } catch {}
    },
  };
}
