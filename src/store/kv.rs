//! The narrow key–value interface the vault is written against, and its two engines: sled (the
//! store on disk) and an in-memory map (tests). Replacing the engine means replacing this file.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

/// One atomic write: puts (`Some`) and deletes (`None`), applied all together or not at all.
pub type Batch = Vec<Put>;
/// One change: a key and its new value, or None to delete it.
pub type Put = (Vec<u8>, Option<Vec<u8>>);
/// A stored key and its value.
pub type Pair = (Vec<u8>, Vec<u8>);
/// A visitor of stored pairs.
pub type Visit<'a> = dyn FnMut(&[u8], &[u8]) -> Result<()> + 'a;

pub trait Kv: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Applies every change in `batch` atomically.
    fn apply(&self, batch: Batch) -> Result<()>;
    /// Calls `visit` with each pair whose key starts with `prefix`, in key order, without holding
    /// them all in memory; stops at the first error `visit` returns.
    fn visit_prefix(&self, prefix: &[u8], visit: &mut Visit) -> Result<()>;
    /// All pairs whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Pair>> {
        let mut out = Vec::new();
        self.visit_prefix(prefix, &mut |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            Ok(())
        })?;
        Ok(out)
    }
    /// Makes every applied batch durable.
    fn flush(&self) -> Result<()>;
}

/// The embedded store on disk: one sled tree, so that one batch is one atomic sled batch.
pub struct SledKv {
    _db: sled::Db,
    tree: sled::Tree,
    /// The store folder, named in every engine error.
    dir: std::path::PathBuf,
}

impl SledKv {
    /// Opens (or creates) the database in `dir`, refusing if another process holds it.
    ///
    /// sled's background flusher is off: every batch is flushed explicitly before a command
    /// reports success, and without the thread a closed store releases its lock at once. A lock
    /// held briefly (a store closed a moment ago in this process) is waited for up to a second.
    pub fn open(dir: &Path) -> Result<SledKv> {
        let mut waited = 0;
        loop {
            match sled::Config::new().path(dir).flush_every_ms(None).open() {
                Ok(db) => {
                    let tree = db.open_tree("qbank").map_err(|e| at(dir, "open", e))?;
                    return Ok(SledKv {
                        _db: db,
                        tree,
                        dir: dir.to_path_buf(),
                    });
                }
                Err(sled::Error::Io(io)) if io.to_string().contains("lock") => {
                    if waited >= 1000 {
                        return Err(Error::StoreLocked(dir.to_path_buf()));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    waited += 20;
                }
                Err(other) => return Err(at(dir, "open", other)),
            }
        }
    }
}

/// An engine error naming the store folder and what was being done (record keys are clear ids).
fn at(dir: &Path, what: &str, e: sled::Error) -> Error {
    Error::Storage(format!("store {}: cannot {what}: {e}", dir.display()))
}

impl SledKv {
    fn err(&self, what: &str, e: sled::Error) -> Error {
        at(&self.dir, what, e)
    }
}

impl Kv for SledKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self
            .tree
            .get(key)
            .map_err(|e| {
                self.err(
                    &format!("read record `{}`", String::from_utf8_lossy(key)),
                    e,
                )
            })?
            .map(|v| v.to_vec()))
    }
    fn apply(&self, batch: Batch) -> Result<()> {
        let mut b = sled::Batch::default();
        for (k, v) in batch {
            match v {
                Some(v) => b.insert(k, v),
                None => b.remove(k),
            }
        }
        self.tree
            .apply_batch(b)
            .map_err(|e| self.err("write a batch", e))
    }
    fn visit_prefix(&self, prefix: &[u8], visit: &mut Visit) -> Result<()> {
        for r in self.tree.scan_prefix(prefix) {
            let (k, v) = r.map_err(|e| {
                self.err(
                    &format!("read records `{}…`", String::from_utf8_lossy(prefix)),
                    e,
                )
            })?;
            visit(&k, &v)?;
        }
        Ok(())
    }
    fn flush(&self) -> Result<()> {
        self.tree
            .flush()
            .map(|_| ())
            .map_err(|e| self.err("flush", e))
    }
}

/// An in-memory engine for tests.
#[derive(Default)]
pub struct MemKv {
    map: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemKv {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
    /// Raw access for tests that tamper with stored bytes.
    pub fn raw_put(&self, key: &[u8], value: Vec<u8>) {
        self.map().insert(key.to_vec(), value);
    }
}

impl Kv for MemKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.map().get(key).cloned())
    }
    fn apply(&self, batch: Batch) -> Result<()> {
        let mut m = self.map();
        for (k, v) in batch {
            match v {
                Some(v) => m.insert(k, v),
                None => m.remove(&k),
            };
        }
        Ok(())
    }
    fn visit_prefix(&self, prefix: &[u8], visit: &mut Visit) -> Result<()> {
        let pairs: Vec<Pair> = self
            .map()
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, v) in pairs {
            visit(&k, &v)?;
        }
        Ok(())
    }
    fn flush(&self) -> Result<()> {
        Ok(())
    }
}
