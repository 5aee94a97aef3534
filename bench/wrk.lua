-- bench/wrk.lua: the request and the summary for bench/bench.sh.
--
-- The request comes from the environment, so that secrets never appear on a
-- command line:
--   BENCH_METHOD  HTTP method (default GET)
--   BENCH_BODY    request body (none when unset or empty)
--   BENCH_CTYPE   Content-Type header
--   BENCH_AUTH    Authorization header
-- done() prints one machine-readable line starting with "@@" that
-- bench.sh parses (latencies in microseconds).

local function env(name)
	local v = os.getenv(name)
	if v == nil or v == "" then
		return nil
	end
	return v
end

wrk.method = env("BENCH_METHOD") or "GET"
wrk.body = env("BENCH_BODY")
if env("BENCH_CTYPE") then
	wrk.headers["Content-Type"] = env("BENCH_CTYPE")
end
if env("BENCH_AUTH") then
	wrk.headers["Authorization"] = env("BENCH_AUTH")
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("@@ requests=%d duration_us=%d bytes=%d " ..
	    "p50_us=%d p90_us=%d p99_us=%d mean_us=%.0f max_us=%d " ..
	    "connect=%d read=%d write=%d status=%d timeout=%d\n",
	    summary.requests, summary.duration, summary.bytes,
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.mean, latency.max,
	    e.connect, e.read, e.write, e.status, e.timeout))
end
