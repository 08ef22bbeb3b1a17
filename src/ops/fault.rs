//! Fault injection for crash tests, and nothing else: a named point in a multi-step workflow
//! where the process aborts when `QBANK_TEST_ABORT_AT` names it, as if killed there. Unset (as
//! in all real use) it does nothing. Points: `sitting:first-file`, `sitting:files-written`,
//! `sitting:committed`, `sitting:renamed` (`tests/it/crash.rs` kills a sitting at each);
//! `rotate:written`, `rotate:retired`, `rotate:swapped` (`tests/it/rotation.rs`);
//! `portal-inbox:uploads-taken` (every upload of an inbox taken, the inbox not yet recorded:
//! `tests/it/portal.rs`).

/// The variable that names the point to abort at.
pub const VAR: &str = "QBANK_TEST_ABORT_AT";

/// Aborts the process (SIGABRT, no unwinding, no cleanup) if `VAR` names this point.
pub(crate) fn point(name: &str) {
    if std::env::var_os(VAR).is_some_and(|v| v == name) {
        std::process::abort();
    }
}
