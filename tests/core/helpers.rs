//! Running the real `ketenpoort` binary, and reaching into its database with plain SQL.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../support/database.rs"]
pub mod database;
#[path = "../support/people.rs"]
mod people;

pub use people::{professional, registration};

pub const BIN: &str = env!("CARGO_BIN_EXE_ketenpoort");

/// What a run of the binary printed, and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }
}

/// Runs `ketenpoort ARGS…` with the given extra environment.
pub fn ketenpoort_with(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(BIN);
    command.args(database::with_keys(args)).env_remove("KETENPOORT_DATABASE_URL").env_remove("KETENPOORT_KEYS");
    command.env_remove("KETENPOORT_PSEUDONYM_KEY").env_remove("KETENPOORT_CHECKPOINT_KEY");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("the ketenpoort binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn ketenpoort(args: &[&str]) -> Run {
    ketenpoort_with(args, &[])
}

/// A scenario file of the repository.
pub fn scenario_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios").join(name)
}

/// A temporary directory holding a database that the public scenarios were run into.
pub struct AuditedDatabase {
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl AuditedDatabase {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = database::fresh_url(dir.path(), "ketenpoort.db");
        let public = scenario_file("public.yaml");
        let run = ketenpoort(&["--database", &url, "scenarios", "run", public.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        AuditedDatabase { dir, url }
    }

    pub fn verify(&self) -> Run {
        ketenpoort(&["--database", &self.url, "audit", "verify"])
    }

    /// Runs plain SQL on the file, as someone with access to it could: without the foreign
    /// keys that would stop them deleting an entry that facts refer to.
    pub async fn sql(&self, statements: &str) {
        database::run_sql(&self.url, statements, false).await;
    }

    /// The same with the guards off, as someone rewriting the log would: append-only triggers
    /// dropped or disabled, foreign keys not enforced.
    pub async fn sql_unguarded(&self, statements: &str) {
        database::run_sql(&self.url, statements, true).await;
    }

    /// The directory of the database's keys.
    pub fn keys(&self) -> PathBuf {
        database::keys_dir(&self.url).unwrap_or_else(|| self.dir.path().join("ketenpoort.keys"))
    }

    /// Every byte of the database (its files, or a dump) and of the files beside it.
    pub fn bytes(&self) -> Vec<u8> {
        let mut all = if self.url.starts_with("postgres") { database::all_bytes(&self.url) } else { Vec::new() };
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                all.extend(std::fs::read(path).unwrap());
            }
        }
        all
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

/// A database of this run's backend with its keys, the demo region's organisations in it, and
/// the gateway over it: the library, where every exchange takes its time T as a parameter.
pub struct World {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub keys: ketenpoort::keys::Keys,
    pub store: std::sync::Arc<dyn ketenpoort::store::Store>,
    pub gateway: ketenpoort::exchange::Gateway,
}

impl World {
    pub async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let url = database::fresh_url(dir.path(), "ketenpoort.db");
        World::at(dir, url).await
    }

    /// The world of the database at `url` (keys beside it, as the command line finds them),
    /// made or migrated by opening it.
    pub async fn at(dir: tempfile::TempDir, url: String) -> World {
        let keys_dir = database::keys_dir(&url).unwrap_or_else(|| dir.path().join("ketenpoort.keys"));
        let keys = if ketenpoort::keys::exist(&keys_dir) {
            ketenpoort::keys::load(&keys_dir).unwrap()
        } else {
            ketenpoort::keys::generate(&keys_dir, true).unwrap()
        };
        let store: std::sync::Arc<dyn ketenpoort::store::Store> =
            std::sync::Arc::new(ketenpoort::store::SqlStore::open(&url).await.unwrap());
        let gateway = ketenpoort::app::gateway(store.clone(), &keys, 1_000).await.unwrap();
        let region = ketenpoort::demo::region().unwrap();
        let certs = Path::new(env!("CARGO_MANIFEST_DIR")).join("certs-dev");
        ketenpoort::demo::seed(&gateway, &region, &certs, ketenpoort::clock::now()).await.unwrap();
        World { dir, url, keys, store, gateway }
    }

    /// A BSN's pseudonyms under every key, current first.
    pub fn pseudonyms(&self, bsn: &str) -> Vec<ketenpoort::youth::Pseudonym> {
        self.keys.pseudonymiser.pseudonymise_all(&bsn.parse().unwrap())
    }

    /// The youth behind a BSN, if Ketenpoort knows them.
    pub async fn known(&self, bsn: &str) -> Option<ketenpoort::exchange::Youth> {
        self.gateway.known_youth(&self.pseudonyms(bsn)).await.unwrap()
    }

    /// `org` registers involvement with the youth of `bsn` at `at`, naming `parents`; the youth
    /// is enrolled then when Ketenpoort does not know them.
    pub async fn register(
        &self,
        org: &str,
        bsn: &str,
        born: &str,
        parents: &[&str],
        at: time::OffsetDateTime,
    ) -> ketenpoort::exchange::Exchanged {
        let who = professional(org);
        let youth = self.gateway.youth(&self.pseudonyms(bsn), born.parse().unwrap(), at).await.unwrap();
        let request = crate::helpers::registration(&who);
        let parents: Vec<Vec<ketenpoort::youth::Pseudonym>> = parents.iter().map(|p| self.pseudonyms(p)).collect();
        let mode = ketenpoort::exchange::Mode::Deliver;
        let occasion = ketenpoort::exchange::Occasion::at(at);
        self.gateway.exchange_naming(&who, &youth, &request, mode, None, &parents, &occasion).await.unwrap()
    }

    /// `ketenpoort --database URL ARGS…`.
    pub fn cli(&self, args: &[&str]) -> Run {
        let mut all = vec!["--database", &self.url];
        all.extend(args);
        ketenpoort(&all)
    }
}
