// A calendar client for tests/test_feeds_client.py: fetch each URL like a subscribing
// phone (with the ETag it kept, if given) and parse the answer with Mozilla's ical.js.
// Prints one JSON object per URL: status, etag, and the events ical.js sees.
//
//   node tests/js/client.mjs URL[#etag] ...
import ICAL from "ical.js";

const out = [];
for (const arg of process.argv.slice(2)) {
  const [url, etag] = arg.split("#");
  const headers = etag ? { "If-None-Match": etag } : {};
  const res = await fetch(url, { headers });
  const entry = { url, status: res.status, etag: res.headers.get("etag"),
                  type: res.headers.get("content-type"),
                  disposition: res.headers.get("content-disposition") };
  if (res.status === 200) {
    const text = await res.text();
    const cal = new ICAL.Component(ICAL.parse(text));
    // A client resolves TZID against the calendar's own VTIMEZONE.
    for (const tz of cal.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
    entry.name = cal.getFirstPropertyValue("x-wr-calname");
    entry.refresh = String(cal.getFirstPropertyValue("refresh-interval"));
    entry.events = cal.getAllSubcomponents("vevent").map((c) => {
      const ev = new ICAL.Event(c);
      return { uid: ev.uid, sequence: ev.sequence, summary: ev.summary,
               status: c.getFirstPropertyValue("status"),
               start: ev.startDate.toString(),
               tz: c.getFirstProperty("dtstart").getParameter("tzid") || null,
               utc: ev.startDate.isDate ? null : ev.startDate.toJSDate().toISOString(),
               end: ev.endDate.toString() };
    });
  }
  out.push(entry);
}
console.log(JSON.stringify(out));
