"""`make bench`: how much the app costs on top of bare Rasa, measured in one run.

Starts the engine and the app on free ports (state in a temporary folder), then sends the same
messages, with the same concurrency, (a) through the app's web chat API and (b) straight to the
engine's REST channel. Prints throughput and p50/p95/p99 latency for each and their ratios, plus
the resident memory of both processes. The app path does more work (language detection, its
database, NLG and action calls from the engine back to the app), so the ratio is the price of that.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bot.stack import Stack, isolated_settings

MESSAGES = [
    "hallo",
    "wie is mijn contactpersoon",
    "مرحبا أحتاج طبيب",
    "де знайти сімейного лікаря",
    "merhaba inburgering zorunlu mu",
    "ሰላም ሓኪም ደልየ",
    "wat zijn mijn rechten",
    "dank je wel",
]


@dataclass
class Result:
    name: str
    latencies: list[float]
    seconds: float

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1]


async def _drive(name: str, url: str, body_for, requests: int, concurrency: int) -> Result:
    latencies: list[float] = []
    counter = iter(range(requests))

    async def worker(client: httpx.AsyncClient, worker_id: int) -> None:
        for i in counter:
            body = body_for(f"bench-{name}-{worker_id}", MESSAGES[i % len(MESSAGES)])
            started = time.perf_counter()
            response = await client.post(url, json=body)
            response.raise_for_status()
            latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client, w) for w in range(concurrency)))
        return Result(name, latencies, time.perf_counter() - started)


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _print(results: list[Result]) -> None:
    print(f"\n{'path':<14}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for r in results:
        print(
            f"{r.name:<14}{len(r.latencies):>9}{r.throughput:>9.1f}"
            f"{r.percentile(50) * 1000:>9.1f}{r.percentile(95) * 1000:>9.1f}{r.percentile(99) * 1000:>9.1f}"
        )
    app, bare = results
    print(
        f"\nratio app/bare-rasa: throughput {app.throughput / bare.throughput:.2f}, "
        f"p50 {app.percentile(50) / bare.percentile(50):.2f}, "
        f"p95 {app.percentile(95) / bare.percentile(95):.2f}, "
        f"p99 {app.percentile(99) / bare.percentile(99):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wegwijs-bench-") as workdir:
        stack = Stack(isolated_settings(Path(workdir), log_level="WARNING"))
        stack.start()
        try:
            print(
                f"engine ready in {stack.startup_seconds['engine']:.1f}s, "
                f"app ready in {stack.startup_seconds['app']:.1f}s"
            )
            settings = stack.settings
            paths = [  # the same messages through the app, then straight to the engine
                ("app", f"{settings.app_url}/chat/api/messages", "text"),
                ("bare-rasa", f"{settings.engine_url}/webhooks/rest/webhook", "message"),
            ]
            results = [
                asyncio.run(
                    _drive(
                        name,
                        url,
                        lambda sender, text, key=key: {"sender": sender, key: text},
                        args.requests,
                        args.concurrency,
                    )
                )
                for name, url, key in paths
            ]
            _print(results)
            print(
                f"memory (RSS): engine {_rss_mib(stack.engine.popen.pid):.0f} MiB, "
                f"app {_rss_mib(stack.app.popen.pid):.0f} MiB"
            )
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
