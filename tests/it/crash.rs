//! Crash safety: a process killed with SIGKILL in the middle of a large import leaves a store
//! that opens, with every acknowledged import present and the killed one all there or absent.

use crate::{new_store, sample_bank};
use qbank::ops::Quiet;
use qbank::store::KeySource;
use qbank::synth::SynthConfig;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn sigkill_during_a_large_import_loses_nothing_acknowledged() {
    let t = tempfile::tempdir().unwrap();
    let cfg = new_store(t.path());
    qbank::ops::import(&cfg, &[sample_bank()], &Quiet).unwrap(); // acknowledged
    let acknowledged = crate::digest(&cfg);
    let sample_count = cfg.open().unwrap().index(None, None).unwrap().len();
    let syn = t.path().join("syn");
    let syn_cfg = SynthConfig {
        items: 40_000,
        occupations: 4,
        tasks_per_level: 2,
        seed: 11,
    };
    qbank::ops::generate(&syn, &syn_cfg).unwrap();
    let syn_total = syn_cfg.items + syn_cfg.occupations * 5 * syn_cfg.tasks_per_level;
    let KeySource::File(key) = &cfg.key else {
        unreachable!()
    };

    let mut killed_mid_way = 0;
    for delay_ms in [150u64, 600, 1200, 2500, 5000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qbank"))
            .args([
                "--store",
                cfg.dir.to_str().unwrap(),
                "--key-file",
                key.to_str().unwrap(),
                "import",
            ])
            .arg(&syn)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL on unix
        child.wait().unwrap();

        let vault = cfg.open().expect("the store opens after SIGKILL");
        let index = vault.index(None, None).expect("the index reads");
        let syn_present = index.len() - sample_count;
        assert!(
            syn_present == 0 || syn_present == syn_total,
            "an import is all or nothing: {syn_present} of {syn_total}"
        );
        let sample: Vec<_> = index
            .iter()
            .filter(|e| e.occupation.as_str() == "6-31-01-03")
            .cloned()
            .collect();
        assert_eq!(
            sample.len(),
            sample_count,
            "the acknowledged import is intact"
        );
        vault
            .entries(&sample)
            .expect("every acknowledged entry decrypts");
        if syn_present == 0 {
            assert_eq!(acknowledged, vault.digest().unwrap().to_string());
            if !finished {
                killed_mid_way += 1;
            }
        } else {
            break; // the import completed before the kill; nothing more to interrupt
        }
    }
    assert!(killed_mid_way >= 1, "at least one import was interrupted");
}
