//! A partner system's client, as the benchmarks drive Ketenpoort: mTLS with an organisation's
//! development certificate, acting for one of its accounts, HTTP/1.1 with keep-alive.

/// A client of `org` (its certificate in `certs`) acting as `account`.
pub fn client(certs: &std::path::Path, org: &str, account: &str) -> reqwest::Client {
    let read = |name: &str| std::fs::read(certs.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ca = reqwest::Certificate::from_pem(&read("ca.crt")).expect("the CA");
    let mut pem = read(&format!("{org}.key"));
    pem.extend(read(&format!("{org}.crt")));
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("ketenpoort-actor", account.parse().expect("a header"));
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .identity(reqwest::Identity::from_pem(&pem).expect("the client certificate"))
        .default_headers(headers)
        .http1_only()
        .pool_max_idle_per_host(1)
        .build()
        .expect("a client")
}
