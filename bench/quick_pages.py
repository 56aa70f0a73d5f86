"""Quick latency check of the main pages against a running server (not the full benchmark).

Usage: python bench/quick_pages.py http://127.0.0.1:5000 [requests-per-page]
Prints median and 95th percentile per page, sequential requests, one client.
"""
import statistics
import sys
import time
import urllib.request

PAGES = [
    "/login", "/", "/ideas", "/ideas?page=50", "/ideas?sort=supported", "/ideas?sort=trending",
    "/ideas?sort=discussed", "/ideas?q=Radweg", "/ideas?field=digitale-infrastruktur", "/ideas/1",
    "/ideas/similar?title=WLAN+in+der+Innenstadt", "/healthz",
]


def measure(base: str, path: str, n: int) -> tuple[float, float]:
    timings = []
    for _ in range(n):
        start = time.perf_counter()
        with urllib.request.urlopen(base + path) as response:  # noqa: S310 - our own server
            response.read()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> None:
    base = sys.argv[1].rstrip("/")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    print(f"| page | median ms | p95 ms |\n|---|---|---|")
    for path in PAGES:
        median, p95 = measure(base, path, n)
        print(f"| `{path}` | {median:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
