//! Shrinking a failing run's tape: drop operations (with their draws and faults), drop single
//! faults, lower draws and fault values; keep any candidate whose replay still fails with the
//! same signature; stop when no candidate does or the run budget is spent.

use super::failure::Failed;
use super::tape::Tape;

/// The result of shrinking.
pub(crate) struct Shrunk {
    /// The smallest failing tape found (as its replay recorded it).
    pub(crate) tape: Tape,
    /// Its failure.
    pub(crate) failure: Failed,
    /// Replays run while shrinking.
    pub(crate) runs: usize,
}

/// Candidate simplifications of `tape`, the boldest first.
fn candidates(tape: &Tape) -> Vec<Tape> {
    let mut out = Vec::new();
    let ops = tape.ops.len();
    let mut chunk = ops.div_ceil(2);
    while chunk >= 1 {
        let mut start = 0;
        while start < ops {
            let mut smaller = tape.clone();
            smaller.ops.drain(start..(start + chunk).min(ops));
            out.push(smaller);
            start += chunk;
        }
        chunk /= 2;
    }
    let records = tape.records().count();
    for record in 0..records {
        let decisions = tape.records().nth(record).map_or(0, |r| r.decisions.len());
        for decision in 0..decisions {
            let mut smaller = tape.clone();
            if let Some(r) = smaller.records_mut().nth(record) {
                r.decisions.remove(decision);
            }
            out.push(smaller);
        }
    }
    for record in 0..records {
        let Some(current) = tape.records().nth(record) else {
            continue;
        };
        for (index, &draw) in current.draws.iter().enumerate() {
            for lower in [0, draw / 2, draw.saturating_sub(1)] {
                if lower < draw {
                    let mut simpler = tape.clone();
                    if let Some(value) = simpler
                        .records_mut()
                        .nth(record)
                        .and_then(|r| r.draws.get_mut(index))
                    {
                        *value = lower;
                    }
                    out.push(simpler);
                }
            }
        }
        for (index, decision) in current.decisions.iter().enumerate() {
            if decision.value > 0 {
                let mut simpler = tape.clone();
                if let Some(d) = simpler
                    .records_mut()
                    .nth(record)
                    .and_then(|r| r.decisions.get_mut(index))
                {
                    d.value = 0;
                }
                out.push(simpler);
            }
        }
    }
    out
}

/// Shrinks `tape`, whose replay failed with `failure`, calling `replay` on each candidate
/// (it returns the replay's outcome and the tape the replay recorded), at most `budget`
/// times.
pub(crate) fn shrink(
    tape: Tape,
    failure: Failed,
    budget: usize,
    mut replay: impl FnMut(&Tape) -> (Result<(), Failed>, Tape),
) -> Shrunk {
    let signature = failure.signature();
    let mut best = Shrunk {
        tape,
        failure,
        runs: 0,
    };
    'improve: while best.runs < budget {
        for candidate in candidates(&best.tape) {
            if best.runs >= budget {
                break 'improve;
            }
            best.runs += 1;
            let (outcome, recorded) = replay(&candidate);
            if let Err(failed) = outcome {
                if failed.signature() == signature {
                    best.tape = recorded;
                    best.failure = failed;
                    continue 'improve;
                }
            }
        }
        break;
    }
    best
}
