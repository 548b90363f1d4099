//! Measures console pages: one logged-in session, one keep-alive connection on 127.0.0.1,
//! requests one after another, so each latency is the server's time for the page plus a
//! loopback round trip (tens of microseconds): taken as server time.

use std::time::Instant;

use hdrhistogram::Histogram;

use crate::http1::Connection;

/// Requests made before measuring, so caches and prepared statements are warm as in use.
const WARM_UP: usize = 3;

/// Latencies of `requests` GETs of `paths` (taken in turn) with the session `cookie`, in µs.
pub async fn measure(addr: &str, cookie: &str, paths: &[String], requests: u64) -> anyhow::Result<Histogram<u64>> {
    anyhow::ensure!(!paths.is_empty(), "nothing to measure");
    let mut connection = Connection::open(addr).await?;
    let headers = [("Cookie", cookie), ("Accept-Language", "en")];
    let mut latencies = Histogram::<u64>::new(3)?;
    for i in 0..WARM_UP + requests as usize {
        let path = &paths[i % paths.len()];
        let started = Instant::now();
        let response = connection.request_with("GET", path, &headers, None).await?;
        let took = started.elapsed();
        anyhow::ensure!(response.status == 200, "GET {path}: {}", response.status);
        if i >= WARM_UP {
            latencies.record(took.as_micros() as u64)?;
        }
    }
    Ok(latencies)
}

/// One line on stderr: a page's p50, p99 and slowest request.
pub fn report(name: &str, latencies: &Histogram<u64>) {
    eprintln!(
        "{name:>10}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} requests)",
        ms(latencies, 0.5),
        ms(latencies, 0.99),
        latencies.max() as f64 / 1000.0,
        latencies.len()
    );
}

pub fn ms(latencies: &Histogram<u64>, quantile: f64) -> f64 {
    latencies.value_at_quantile(quantile) as f64 / 1000.0
}
