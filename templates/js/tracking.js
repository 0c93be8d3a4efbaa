// The page's activity events, through the beacon module (templates/js/beacon.js). Tracking
// must never break the shop: a failing beacon is silenced here.

import { createBeacon } from "./beacon.js";

/** {track(type, fields)} sending to `endpoint`, or doing nothing if the beacon can't start. */
export function createTracker(endpoint) {
  let beacon = null;
  try {
    beacon = createBeacon(endpoint || "/api/events");
  } catch (error) {
    console.warn("activity beacon unavailable:", error);
  }
  return {
    track(type, fields) {
      if (!beacon) return;
      try {
        beacon.track(type, fields);
      } catch (error) {
        console.warn("activity beacon failed:", error);
      }
    },
  };
}
