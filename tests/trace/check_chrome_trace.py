#!/usr/bin/env python3
"""Checks a `bootscope trace export --format chrome` file for what Perfetto's
JSON trace importer (and chrome://tracing) needs, per the Trace Event Format
document:

  - a JSON object whose traceEvents is an array, displayTimeUnit a string;
  - every event has name (string), ph, ts (number), pid and tid (integers);
  - complete events (ph X) have dur >= 0; instant events (ph i) a scope;
  - a thread_name metadata event (ph M) names every (pid, tid) used, and
    process_name names every pid;
  - on each thread, complete events nest: a child lies inside its parent
    (events sharing a start are ordered longest first, as Perfetto sorts).

Then what the bundled guest's default boot must show: start_kernel as a
complete event, initcall phases on the phases lane, the lanes for phases,
interrupts, mode and console.

Usage: check_chrome_trace.py FILE.json   (exit 0 when it passes)
"""
import json
import sys
from collections import defaultdict


def fail(msg):
    print("check_chrome_trace: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 2:
        fail("usage: check_chrome_trace.py FILE.json")
    with open(sys.argv[1], "rb") as f:
        doc = json.loads(f.read().decode("utf-8"))
    if not isinstance(doc, dict):
        fail("the top level is not an object")
    events = doc.get("traceEvents")
    if not isinstance(events, list):
        fail("traceEvents is not an array")
    if not isinstance(doc.get("displayTimeUnit"), str):
        fail("displayTimeUnit is missing")
    if not isinstance(doc.get("otherData", {}), dict):
        fail("otherData is not an object")

    thread_names = {}
    process_names = {}
    used = set()
    complete = defaultdict(list)
    for k, e in enumerate(events):
        where = "event %d (%r)" % (k, e.get("name") if isinstance(e, dict) else e)
        if not isinstance(e, dict):
            fail(where + " is not an object")
        for key in ("name", "ph", "ts", "pid", "tid"):
            if key not in e:
                fail("%s has no %s" % (where, key))
        if not isinstance(e["name"], str) or not isinstance(e["ph"], str):
            fail(where + ": name and ph must be strings")
        if isinstance(e["ts"], bool) or not isinstance(e["ts"], (int, float)) or e["ts"] < 0:
            fail(where + ": ts is not a non-negative number")
        for key in ("pid", "tid"):
            if isinstance(e[key], bool) or not isinstance(e[key], int):
                fail("%s: %s is not an integer" % (where, key))
        ph = e["ph"]
        if ph == "M":
            args = e.get("args")
            if not isinstance(args, dict):
                fail(where + ": metadata without args")
            if e["name"] == "thread_name":
                if not isinstance(args.get("name"), str) or not args["name"]:
                    fail(where + ": thread_name without a name")
                thread_names[(e["pid"], e["tid"])] = args["name"]
            elif e["name"] == "process_name":
                process_names[e["pid"]] = args.get("name")
            continue
        used.add((e["pid"], e["tid"]))
        if ph == "X":
            dur = e.get("dur")
            if isinstance(dur, bool) or not isinstance(dur, (int, float)) or dur < 0:
                fail(where + ": a complete event needs dur >= 0")
            complete[(e["pid"], e["tid"])].append((e["ts"], -dur, k, e["name"]))
        elif ph == "i":
            if e.get("s", "t") not in ("t", "p", "g"):
                fail(where + ": bad instant scope")
        else:
            fail(where + ": unexpected phase %r" % ph)

    for pid, tid in sorted(used):
        if (pid, tid) not in thread_names:
            fail("tid %d (pid %d) has events but no thread_name metadata" % (tid, pid))
        if pid not in process_names:
            fail("pid %d has events but no process_name metadata" % pid)

    # Nesting: a stack of the open events' ends, per thread. Times are the
    # export's microseconds with three decimals: compare in integer ns.
    def ns(x):
        return round(x * 1000)

    for thread, evs in complete.items():
        evs.sort()
        stack = []
        for ts, negdur, k, name in evs:
            start, end = ns(ts), ns(ts) + ns(-negdur)
            while stack and stack[-1][0] <= start:
                stack.pop()
            if stack and end > stack[-1][0]:
                fail("on %s, %r (event %d, %d..%d ns) overlaps its parent %r, which ends at %d ns"
                     % (thread_names[thread], name, k, start, end, stack[-1][1], stack[-1][0]))
            stack.append((end, name))

    names = {(e["ph"], e["name"]) for e in events}
    if ("X", "start_kernel") not in names:
        fail("no complete event for start_kernel")
    lanes = {v: k for k, v in thread_names.items()}
    for lane in ("phases", "interrupts", "mode", "console"):
        if lane not in lanes:
            fail("no %r lane" % lane)
    phases = [e["name"] for e in events if e["ph"] == "X" and (e["pid"], e["tid"]) == lanes["phases"]]
    if not any(p.startswith("initcall level ") for p in phases):
        fail("no initcall phases on the phases lane")
    if not any(e["ph"] == "i" and (e["pid"], e["tid"]) == lanes["console"] for e in events):
        fail("no console lines")
    print("check_chrome_trace: %d events, %d threads, %d phases: ok" % (len(events), len(thread_names), len(phases)))


if __name__ == "__main__":
    main()
