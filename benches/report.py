"""What one timed run of `romwatch` cost, for the benchmark scripts that
run it against the simulator: `report.py KIND LABEL SUMMARY TIME`, where
SUMMARY is the run's JSON summary (`--json`), TIME the output of GNU time
with the format `wall %e user %U sys %S rss %M`, and KIND the command that
ran (`track` or `mirrors`)."""
import json
import re
import sys


def cost(count, timing):
    """The wall time, rate, CPU and peak memory of a run that did `count` checks."""
    wall = float(re.search(r"wall ([0-9.]+)", timing).group(1))
    user = float(re.search(r"user ([0-9.]+)", timing).group(1))
    system = float(re.search(r"sys ([0-9.]+)", timing).group(1))
    rss = int(re.search(r"rss ([0-9]+)", timing).group(1))
    return (f"in {wall:.2f} s wall = {count / wall:.0f} checks/s; "
            f"CPU {user:.2f} s user + {system:.2f} s sys; peak RSS {rss / 1024:.1f} MiB")


def track(label, summary, timing):
    checks = summary["checks"]
    print(f"{label}: {summary['variants']} variants, {checks} checks "
          f"({summary['checks_ok']} answered), {summary['new']} new, {cost(checks, timing)}")
    backfill, meta = summary["backfill"], summary["metadata"]
    if backfill["asked"]:
        print(f"  backfill: {backfill['asked']} asked, {backfill['filled']} filled, {backfill['left']} left")
    if meta["read"]:
        print(f"  package metadata: {meta['read']} read ({meta['failed']} failed), "
              f"{meta['requests'] / meta['read']:.2f} range requests and "
              f"{meta['bytes'] / meta['read'] / 1024:.1f} KiB per package")


def mirrors(label, summary, timing):
    requests = summary["requests"]
    tally = {k: sum(h[k] for h in summary["hosts"].values()) for k in ("ok", "slow", "down")}
    print(f"{label}: {summary['recorded']['files']} files, {requests} requests "
          f"({tally['ok']} ok, {tally['slow']} slow, {tally['down']} down) {cost(requests, timing)}")


if __name__ == "__main__":
    kind, label, summary, timing = sys.argv[1:5]
    {"track": track, "mirrors": mirrors}[kind](label, json.load(open(summary)), open(timing).read())
