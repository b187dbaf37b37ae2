//! The environment variables that choose which seeds run: `DYNSUP_SEED` reruns one seed or a
//! range, `DYNSUP_SEEDS` sets how many run, `DYNSUP_REPLAY` replays a file.

use std::ops::Range;

/// Reruns one seed (`DYNSUP_SEED=17`) or a range (`DYNSUP_SEED=10..20`, end excluded).
pub const SEED_VAR: &str = "DYNSUP_SEED";
/// How many seeds run, from the check's first seed (`DYNSUP_SEEDS=10000`).
pub const SEEDS_VAR: &str = "DYNSUP_SEEDS";
/// Replays one replay file instead of running seeds (`DYNSUP_REPLAY=path`), in the check of
/// the name the file gives.
pub const REPLAY_VAR: &str = "DYNSUP_REPLAY";
/// Where replay files go, instead of the check's own directory (`DYNSUP_REPLAY_DIR=dir`).
pub const REPLAY_DIR_VAR: &str = "DYNSUP_REPLAY_DIR";

/// Reads a seed or a range of seeds: `17`, `10..20`, `10..=20`.
pub fn parse_seeds(text: &str) -> Result<Range<u64>, String> {
    let text = text.trim();
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("{SEED_VAR}: {s:?} is not a seed (a number, or a range a..b)"))
    };
    if let Some((start, end)) = text.split_once("..=") {
        return Ok(number(start)?..number(end)?.saturating_add(1));
    }
    if let Some((start, end)) = text.split_once("..") {
        return Ok(number(start)?..number(end)?);
    }
    let seed = number(text)?;
    Ok(seed..seed.saturating_add(1))
}

/// The seeds to run: `default`, unless the environment says otherwise.
pub(crate) fn seeds_from_env(default: Range<u64>) -> Result<Range<u64>, String> {
    if let Ok(text) = std::env::var(SEED_VAR) {
        return parse_seeds(&text);
    }
    if let Ok(text) = std::env::var(SEEDS_VAR) {
        let count = text
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("{SEEDS_VAR}: {text:?} is not a number of seeds"))?;
        return Ok(default.start..default.start.saturating_add(count));
    }
    Ok(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_and_ranges() {
        assert_eq!(parse_seeds("17"), Ok(17..18));
        assert_eq!(parse_seeds("10..20"), Ok(10..20));
        assert_eq!(parse_seeds(" 10..=20 "), Ok(10..21));
        assert!(parse_seeds("ten").is_err());
        assert!(parse_seeds("1..x").is_err());
    }
}
