"""The INSi benchmark runs end to end (mTLS keep-alive, journal on); in-process here for speed, the
separate-process mode differs only by the process boundary."""

from __future__ import annotations

from loadtests.bench_ins import bench_ins


def test_bench_reports_throughput_latency_and_journal() -> None:
    result = bench_ins(duration_s=0.5, threads=2, warmup_s=0.2, key_type="ec-p256", in_process=True)
    assert result["requests"] > 0 and result["errors"] == 0
    assert result["lookups_per_s"] > 0 and 0 < result["p50_ms"] <= result["p99_ms"]
    assert result["journal_flushed"] and result["journal_count"] >= result["requests"]
    assert result["journal_write_errors"] == 0
