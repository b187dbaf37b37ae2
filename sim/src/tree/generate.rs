//! Random tree scenarios for `dynsup-sim explore --trees`: a tree file's text from a seed (one
//! seeded ChaCha8Rng), small enough to always settle (at most 4 restarts per window, finite
//! stops), parsed back by the tree parser before it runs.

use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A declared node, as the generator remembers it.
struct Declared {
    name: String,
    parent: Option<usize>,
    sup: Option<SupShape>,
    depth: usize,
}

#[derive(Clone, Copy)]
struct SupShape {
    dynamic: bool,
    significant_ok: bool,
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        return None;
    }
    items.get(rng.gen_range(0..items.len()))
}

fn shutdown(rng: &mut ChaCha8Rng, supervisor: bool) -> String {
    match rng.gen_range(0..4) {
        0 => "brutal_kill".to_owned(),
        1 if supervisor => "infinity".to_owned(),
        _ => rng.gen_range(1..400u64).to_string(),
    }
}

/// The text of the tree scenario of `seed`, with `steps` steps.
pub fn tree_text(seed: u64, steps: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut text = format!("# dynsup-sim explore --trees, seed {seed}\n");
    let mut nodes: Vec<Declared> = Vec::new();
    let sups = rng.gen_range(1..6usize);
    let workers = rng.gen_range(1..10usize);
    let (mut made_sups, mut made_workers) = (0, 0);
    while made_sups < sups || made_workers < workers {
        let make_sup = made_workers >= workers || (made_sups < sups && rng.gen_bool(0.4));
        let parents: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes.get(i).is_some_and(|n| n.sup.is_some() && n.depth < 3))
            .collect();
        let parent = pick(&mut rng, &parents).copied();
        let parent_shape = parent.and_then(|p| nodes.get(p)).and_then(|n| n.sup);
        let depth = parent.and_then(|p| nodes.get(p)).map_or(0, |n| n.depth + 1);
        let mut line = String::new();
        let name;
        if make_sup || nodes.is_empty() {
            name = format!("s{made_sups}");
            made_sups += 1;
            let dynamic = rng.gen_bool(0.3);
            let _ = write!(line, "sup {name}");
            if dynamic {
                line.push_str(" kind=dynamic");
                if rng.gen_bool(0.2) {
                    let _ = write!(line, " max_children={}", rng.gen_range(0..4));
                }
            } else {
                let strategy = *pick(&mut rng, &["one_for_one", "one_for_all", "rest_for_one"])
                    .unwrap_or(&"one_for_one");
                let _ = write!(line, " strategy={strategy}");
            }
            let significant_ok = !dynamic && rng.gen_bool(0.2);
            if significant_ok {
                let auto = *pick(&mut rng, &["any_significant", "all_significant"])
                    .unwrap_or(&"any_significant");
                let _ = write!(line, " auto_shutdown={auto}");
            }
            let _ = write!(
                line,
                " max_restarts={} max_seconds={}",
                rng.gen_range(0..5),
                rng.gen_range(1..4)
            );
            nodes.push(Declared {
                name: name.clone(),
                parent,
                sup: Some(SupShape {
                    dynamic,
                    significant_ok,
                }),
                depth,
            });
        } else {
            name = format!("w{made_workers}");
            made_workers += 1;
            let _ = write!(line, "child {name}");
            if rng.gen_bool(0.4) {
                let _ = write!(line, " trap_exit=true stop_ms={}", rng.gen_range(0..300u64));
            }
            if rng.gen_bool(0.3) {
                let outcomes = ["ok", "ok", "ignore", "stop:boom"];
                let count = rng.gen_range(1..4);
                let list: Vec<&str> = (0..count)
                    .map(|_| *pick(&mut rng, &outcomes).unwrap_or(&"ok"))
                    .collect();
                let _ = write!(line, " init={}", list.join(","));
            }
            nodes.push(Declared {
                name: name.clone(),
                parent,
                sup: None,
                depth,
            });
        }
        let Some(parent) = parent else {
            let _ = writeln!(text, "{line}");
            continue;
        };
        let parent_name = nodes.get(parent).map_or("", |n| n.name.as_str());
        let _ = write!(line, " in={parent_name}");
        let restart = *pick(
            &mut rng,
            &["permanent", "permanent", "transient", "temporary"],
        )
        .unwrap_or(&"permanent");
        let _ = write!(line, " restart={restart}");
        if rng.gen_bool(0.5) {
            let supervisor = make_sup;
            let _ = write!(line, " shutdown={}", shutdown(&mut rng, supervisor));
        }
        if let Some(shape) = parent_shape {
            if !shape.dynamic {
                if rng.gen_bool(0.2) {
                    line.push_str(" later=true");
                }
                if shape.significant_ok && restart != "permanent" && rng.gen_bool(0.4) {
                    line.push_str(" significant=true");
                }
            }
        }
        let _ = writeln!(text, "{line}");
    }
    let mut at = 0u64;
    let reasons = ["normal", "shutdown", "boom", "shutdown:x", "kill"];
    for _ in 0..steps {
        at += rng.gen_range(0..400u64);
        let _ = write!(text, "at {at} ");
        let index = rng.gen_range(0..nodes.len());
        let Some(node) = nodes.get(index) else {
            continue;
        };
        let k = rng.gen_range(1..4u64);
        let roll = rng.gen_range(0..100);
        if roll < 15 {
            let _ = writeln!(text, "kill {}#{k}", node.name);
            continue;
        }
        if roll < 35 {
            let workers: Vec<&Declared> = nodes.iter().filter(|n| n.sup.is_none()).collect();
            if let Some(worker) = pick(&mut rng, &workers) {
                let reason = *pick(&mut rng, &reasons).unwrap_or(&"boom");
                let _ = writeln!(text, "exit {}#{k} {reason}", worker.name);
                continue;
            }
        }
        if roll == 99 {
            text.push_str("stop\n");
            continue;
        }
        let sups: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes.get(i).is_some_and(|n| n.sup.is_some()))
            .collect();
        let sup = pick(&mut rng, &sups).copied().unwrap_or(0);
        let dynamic = nodes
            .get(sup)
            .and_then(|n| n.sup)
            .is_some_and(|s| s.dynamic);
        let sup_name = nodes.get(sup).map_or("", |n| n.name.as_str());
        let _ = write!(text, "on {sup_name} ");
        let children: Vec<&Declared> = nodes.iter().filter(|n| n.parent == Some(sup)).collect();
        let child = pick(&mut rng, &children);
        let op = match (child, rng.gen_range(0..6), dynamic) {
            (Some(c), 0 | 1, _) => format!("start {}", c.name),
            (Some(c), 2, true) => format!("terminate {}#{k}", c.name),
            (Some(c), 2, false) => format!("terminate {}", c.name),
            (Some(c), 3, false) => format!("restart {}", c.name),
            (Some(c), 4, false) => format!("delete {}", c.name),
            (_, 5, _) => "which".to_owned(),
            _ => "count".to_owned(),
        };
        let _ = writeln!(text, "{op}");
    }
    text
}
