//! The progress bar on standard error (`kehu dedupe`, `kehu leads import`), shown only when
//! standard error is a terminal (so logs and pipes stay clean).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kehu_domain::identity::matching::{Progress, Stage};
use std::io::IsTerminal;

/// A progress bar that is drawn on a terminal and silent elsewhere.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar on standard error when it is a terminal, hidden otherwise.
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        Self(bar)
    }

    fn stage(&self, name: &'static str, total: u64, bytes: bool) {
        let template = if bytes {
            "{msg:>9} [{bar:40}] {bytes}/{total_bytes} ({eta})"
        } else {
            "{msg:>9} [{bar:40}] {human_pos}/{human_len} ({eta})"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.0.set_style(style.progress_chars("=> "));
        }
        self.0.set_message(name);
        self.0.set_length(total);
        self.0.set_position(0);
    }

    /// A stage measured in bytes (reading a file).
    pub fn start_bytes(&self, name: &'static str, total: u64) {
        self.stage(name, total, true);
    }

    /// A stage counted in items (`name`, `total` of them).
    pub fn start_count(&self, name: &'static str, total: u64) {
        self.stage(name, total, false);
    }

    /// A stage of unknown length: a spinner with its name.
    pub fn spinner(&self, name: &'static str) {
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            self.0.set_style(style);
        }
        self.0.set_message(name);
        self.0
            .enable_steady_tick(std::time::Duration::from_millis(120));
    }

    /// Moves the bar to `pos`.
    pub fn set_position(&self, pos: u64) {
        self.0.set_position(pos);
    }

    /// Fills the current stage.
    pub fn finish_stage(&self) {
        if let Some(len) = self.0.length() {
            self.0.set_position(len);
        }
    }

    /// Removes the bar from the terminal.
    pub fn clear(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn start(&self, stage: Stage, total: u64) {
        let name = match stage {
            Stage::Blocking => "blocking",
            Stage::Scoring => "scoring",
            Stage::Linking => "linking",
        };
        self.stage(name, total, false);
    }

    fn advance(&self, done: u64) {
        self.0.inc(done);
    }
}
