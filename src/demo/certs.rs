//! `ketenpoort keys dev-certs`: the development CA, a server certificate for `localhost` and
//! `127.0.0.1`, and a client certificate per demo organisation. Development only.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

#[derive(Debug, thiserror::Error)]
pub enum DevCertError {
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {detail}")]
    Write { path: String, detail: String },
}

fn name(common: &str, organisation: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common);
    name.push(DnType::OrganizationName, organisation);
    name
}

fn write(dir: &Path, file: &str, text: &str) -> Result<(), DevCertError> {
    let path = dir.join(file);
    std::fs::write(&path, text)
        .map_err(|e| DevCertError::Write { path: path.display().to_string(), detail: e.to_string() })
}

/// Writes `ca.crt`, `server.crt`/`server.key` and `<org>.crt`/`<org>.key` for each of `orgs`
/// (id, name) into `dir`.
pub fn generate(dir: &Path, orgs: &[(String, String)]) -> Result<(), DevCertError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| DevCertError::Write { path: dir.display().to_string(), detail: e.to_string() })?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name = name("Ketenpoort development CA - NOT FOR PRODUCTION", "Ketenpoort development");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca.self_signed(&ca_key)?;
    write(dir, "ca.crt", &ca_cert.pem())?;
    let issuer = Issuer::new(ca, ca_key);

    let mut server = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    server.distinguished_name = name("localhost", "Ketenpoort development");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate()?;
    write(dir, "server.crt", &server.signed_by(&server_key, &issuer)?.pem())?;
    write(dir, "server.key", &server_key.serialize_pem())?;

    for (id, org_name) in orgs {
        let mut client = CertificateParams::new(Vec::<String>::new())?;
        client.distinguished_name = name(id, org_name);
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate()?;
        write(dir, &format!("{id}.crt"), &client.signed_by(&key, &issuer)?.pem())?;
        write(dir, &format!("{id}.key"), &key.serialize_pem())?;
    }
    write(
        dir,
        "README.md",
        "# Development certificates: NOT FOR PRODUCTION\n\nA throwaway CA, a server certificate for `localhost` and `127.0.0.1`, and one client\ncertificate per demo organisation (`<org-id>.crt`, `<org-id>.key`). Their private keys are\npublic: use them for `ketenpoort demo` and the tests only. Regenerate with\n`ketenpoort keys dev-certs --out certs-dev`.\n",
    )
}
