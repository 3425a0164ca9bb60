//! Key files: the pseudonym key (HMAC-SHA256) and the checkpoint signing key (Ed25519).
//!
//! Both live outside the database: in a directory beside the SQLite file by default
//! (`ketenpoort.db` → `ketenpoort.keys/`), or in `KETENPOORT_PSEUDONYM_KEY` and
//! `KETENPOORT_CHECKPOINT_KEY`. The public half of the checkpoint key (`checkpoint.pub`) is
//! all that `audit verify` needs, and may be handed to anyone.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ring::rand::{SecureRandom, SystemRandom};

use crate::audit::{CheckpointSigner, CheckpointVerifier};
use crate::youth::Pseudonymiser;

pub const PSEUDONYM_KEY_FILE: &str = "pseudonym.key";
/// Pseudonym keys rotated out, one `<key id>.key` file each: kept to find known youths.
pub const RETIRED_PSEUDONYM_DIR: &str = "pseudonym.retired";
pub const CHECKPOINT_KEY_FILE: &str = "checkpoint.key";
pub const CHECKPOINT_PUBLIC_FILE: &str = "checkpoint.pub";
pub const PSEUDONYM_KEY_ENV: &str = "KETENPOORT_PSEUDONYM_KEY";
pub const CHECKPOINT_KEY_ENV: &str = "KETENPOORT_CHECKPOINT_KEY";

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("no {what} at {path}: run `ketenpoort keys generate --keys {dir}`{env}")]
    Missing { what: &'static str, path: PathBuf, dir: PathBuf, env: String },
    #[error("the {what} at {path} is unreadable: {detail}")]
    Unreadable { what: &'static str, path: PathBuf, detail: String },
    #[error(
        "keys already exist in {0}; they link pseudonyms and sign the audit log, so they are never overwritten (use --force only for a database you are discarding)"
    )]
    Exists(PathBuf),
    #[error("could not write keys to {path}: {detail}")]
    Write { path: PathBuf, detail: String },
    #[error(
        "the {what} at {path} can be read by others than the service user (mode {mode:04o}): run `chmod 600 {path}`"
    )]
    Exposed { what: &'static str, path: PathBuf, mode: u32 },
    #[error("{0}")]
    Invalid(String),
}

/// The keys a running Ketenpoort needs.
pub struct Keys {
    pub pseudonymiser: Pseudonymiser,
    pub signer: Arc<CheckpointSigner>,
}

/// The key directory for a database URL: beside the SQLite file, named after it.
pub fn default_dir(database_url: &str) -> Option<PathBuf> {
    crate::store::sqlite_file(database_url).map(|file| file.with_extension("keys"))
}

/// Fresh keys, in memory only (scenario runs on a throwaway database).
pub fn ephemeral() -> Result<Keys, KeysError> {
    let mut secret = [0u8; 32];
    SystemRandom::new().fill(&mut secret).map_err(|_| KeysError::Invalid("the system random source failed".into()))?;
    let signer = CheckpointSigner::generate().map_err(|e| KeysError::Invalid(e.to_string()))?;
    Ok(Keys { pseudonymiser: Pseudonymiser::from_secret(secret), signer: Arc::new(signer) })
}

/// Whether `dir` holds keys already.
pub fn exist(dir: &Path) -> bool {
    dir.join(PSEUDONYM_KEY_FILE).exists() || dir.join(CHECKPOINT_KEY_FILE).exists()
}

/// Generates both keys into `dir` (mode 0700, files 0600), never overwriting unless `force`.
pub fn generate(dir: &Path, force: bool) -> Result<Keys, KeysError> {
    if exist(dir) && !force {
        return Err(KeysError::Exists(dir.to_owned()));
    }
    let keys = ephemeral()?;
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |e: std::io::Error| KeysError::Write { path, detail: e.to_string() }
    };
    fs::create_dir_all(dir).map_err(write_error(dir))?;
    restrict(dir, 0o700).map_err(write_error(dir))?;
    write_secret(&dir.join(PSEUDONYM_KEY_FILE), &keys.pseudonymiser.secret_hex())?;
    write_secret(&dir.join(CHECKPOINT_KEY_FILE), &hex::encode(keys.signer.pkcs8()))?;
    let public = dir.join(CHECKPOINT_PUBLIC_FILE);
    fs::write(&public, format!("{}\n", keys.signer.verifier().to_hex())).map_err(write_error(&public))?;
    Ok(keys)
}

fn write_secret(path: &Path, hex_text: &str) -> Result<(), KeysError> {
    let fail = |e: std::io::Error| KeysError::Write { path: path.to_owned(), detail: e.to_string() };
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(fail)?;
    restrict(path, 0o600).map_err(fail)?;
    file.write_all(format!("{hex_text}\n").as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

/// Refuses a secret key file that anyone but its owner (the service user) may read: whoever
/// reads the pseudonym key can link a BSN to its pseudonym, and whoever reads the checkpoint
/// key can re-sign a rewritten log.
#[cfg(unix)]
fn only_the_owner_reads(path: &Path, what: &'static str) -> Result<(), KeysError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| KeysError::Unreadable { what, path: path.to_owned(), detail: e.to_string() })?
        .permissions()
        .mode()
        & 0o7777;
    if mode & 0o077 == 0 { Ok(()) } else { Err(KeysError::Exposed { what, path: path.to_owned(), mode }) }
}

#[cfg(not(unix))]
fn only_the_owner_reads(_: &Path, _: &'static str) -> Result<(), KeysError> {
    Ok(())
}

/// Reads a key from its environment variable, or else from its file in `dir`.
fn read(dir: &Path, file: &str, env: &str, what: &'static str) -> Result<String, KeysError> {
    if let Ok(value) = std::env::var(env) {
        return Ok(value);
    }
    let path = dir.join(file);
    match fs::read_to_string(&path) {
        Ok(text) if file == CHECKPOINT_PUBLIC_FILE => Ok(text),
        Ok(text) => only_the_owner_reads(&path, what).map(|()| text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(KeysError::Missing {
            what,
            path,
            dir: dir.to_owned(),
            env: if env.is_empty() { String::new() } else { format!(", or set {env}") },
        }),
        Err(e) => Err(KeysError::Unreadable { what, path, detail: e.to_string() }),
    }
}

/// Loads the secret keys.
pub fn load(dir: &Path) -> Result<Keys, KeysError> {
    let invalid = |what: &str, path: &str| {
        let message = format!("the {what} in {} is malformed", dir.join(path).display());
        move |e: &dyn std::fmt::Display| KeysError::Invalid(format!("{message}: {e}"))
    };
    let pseudonym_text = read(dir, PSEUDONYM_KEY_FILE, PSEUDONYM_KEY_ENV, "pseudonym key")?;
    let pseudonymiser =
        Pseudonymiser::from_hex(&pseudonym_text).map_err(|e| invalid("pseudonym key", PSEUDONYM_KEY_FILE)(&e))?;
    let pseudonymiser = pseudonymiser.with_retired(retired_pseudonym_keys(dir)?);
    let checkpoint_text = read(dir, CHECKPOINT_KEY_FILE, CHECKPOINT_KEY_ENV, "checkpoint key")?;
    let pkcs8 = hex::decode(checkpoint_text.trim()).map_err(|e| invalid("checkpoint key", CHECKPOINT_KEY_FILE)(&e))?;
    let signer =
        CheckpointSigner::from_pkcs8(&pkcs8).map_err(|e| invalid("checkpoint key", CHECKPOINT_KEY_FILE)(&e))?;
    Ok(Keys { pseudonymiser, signer: Arc::new(signer) })
}

/// The retired pseudonym keys in `dir`, if any.
fn retired_pseudonym_keys(dir: &Path) -> Result<Vec<Pseudonymiser>, KeysError> {
    let retired = dir.join(RETIRED_PSEUDONYM_DIR);
    let Ok(files) = fs::read_dir(&retired) else { return Ok(Vec::new()) };
    let mut keys = Vec::new();
    for file in files {
        let path = file
            .map_err(|e| KeysError::Unreadable {
                what: "retired pseudonym key",
                path: retired.clone(),
                detail: e.to_string(),
            })?
            .path();
        if path.extension().is_some_and(|ext| ext == "key") {
            let text = fs::read_to_string(&path).map_err(|e| KeysError::Unreadable {
                what: "retired pseudonym key",
                path: path.clone(),
                detail: e.to_string(),
            })?;
            only_the_owner_reads(&path, "retired pseudonym key")?;
            keys.push(Pseudonymiser::from_hex(&text).map_err(|e| {
                KeysError::Invalid(format!("the retired pseudonym key {} is malformed: {e}", path.display()))
            })?);
        }
    }
    Ok(keys)
}

/// Retires the pseudonym key in `dir` and writes a new one; returns (retired id, new id). New
/// youths get pseudonyms under the new key; youths known before are still found under the old
/// one and keep their first pseudonym in the log and their case references.
pub fn rotate_pseudonym_key(dir: &Path) -> Result<(String, String), KeysError> {
    let current_text = read(dir, PSEUDONYM_KEY_FILE, "", "pseudonym key")?;
    let current = Pseudonymiser::from_hex(&current_text).map_err(|e| KeysError::Invalid(e.to_string()))?;
    let retired = dir.join(RETIRED_PSEUDONYM_DIR);
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |e: std::io::Error| KeysError::Write { path, detail: e.to_string() }
    };
    fs::create_dir_all(&retired).map_err(write_error(&retired))?;
    restrict(&retired, 0o700).map_err(write_error(&retired))?;
    // Written and synced before the new key replaces it: a crash in between loses nothing.
    write_secret(&retired.join(format!("{}.key", current.key_id())), current_text.trim())?;
    let fresh = ephemeral()?.pseudonymiser;
    let staged = dir.join(format!("{PSEUDONYM_KEY_FILE}.new"));
    write_secret(&staged, &fresh.secret_hex())?;
    let current_file = dir.join(PSEUDONYM_KEY_FILE);
    fs::rename(&staged, &current_file).map_err(write_error(&current_file))?;
    Ok((current.key_id().to_owned(), fresh.key_id().to_owned()))
}

/// Loads the public half of the checkpoint key, for verification.
pub fn load_public(dir: &Path) -> Result<CheckpointVerifier, KeysError> {
    let text = read(dir, CHECKPOINT_PUBLIC_FILE, "", "public checkpoint key")?;
    CheckpointVerifier::from_hex(&text).map_err(|e| KeysError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_directory_sits_beside_the_database_file() {
        assert_eq!(default_dir("sqlite://data/ketenpoort.db"), Some(PathBuf::from("data/ketenpoort.keys")));
        assert_eq!(default_dir("sqlite:ketenpoort.db?mode=rwc"), Some(PathBuf::from("ketenpoort.keys")));
        assert_eq!(default_dir("sqlite::memory:"), None);
    }

    #[test]
    fn generated_keys_load_again_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = dir.path().join("k.keys");
        let generated = generate(&keys_dir, false).unwrap();
        let loaded = load(&keys_dir).unwrap();
        assert_eq!(loaded.pseudonymiser.key_id(), generated.pseudonymiser.key_id());
        assert_eq!(load_public(&keys_dir).unwrap().key_id(), generated.signer.key_id());
        assert!(matches!(generate(&keys_dir, false), Err(KeysError::Exists(_))));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(keys_dir.join(PSEUDONYM_KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_key_file_others_may_read_is_refused_at_start() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = dir.path().join("k.keys");
        generate(&keys_dir, false).unwrap();
        for file in [PSEUDONYM_KEY_FILE, CHECKPOINT_KEY_FILE] {
            let path = keys_dir.join(file);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
            let error = load(&keys_dir).err().unwrap();
            assert!(matches!(error, KeysError::Exposed { mode: 0o640, .. }), "{error}");
            assert!(error.to_string().contains("chmod 600"), "{error}");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert!(load(&keys_dir).is_ok());
        // A retired key is as secret as the current one.
        rotate_pseudonym_key(&keys_dir).unwrap();
        let retired = fs::read_dir(keys_dir.join(RETIRED_PSEUDONYM_DIR)).unwrap().next().unwrap().unwrap().path();
        fs::set_permissions(&retired, fs::Permissions::from_mode(0o604)).unwrap();
        assert!(matches!(load(&keys_dir), Err(KeysError::Exposed { .. })));
        // The public half may be read by anyone.
        fs::set_permissions(&retired, fs::Permissions::from_mode(0o600)).unwrap();
        fs::set_permissions(keys_dir.join(CHECKPOINT_PUBLIC_FILE), fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load_public(&keys_dir).is_ok());
    }

    #[test]
    fn a_missing_key_tells_the_user_what_to_run() {
        let dir = tempfile::tempdir().unwrap();
        let error = load_public(dir.path()).err().unwrap().to_string();
        assert!(error.contains("ketenpoort keys generate"), "{error}");
    }
}
