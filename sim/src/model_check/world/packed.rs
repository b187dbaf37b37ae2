//! A world in its packed form ([`dynsup::Pack`]), and the shelf that keeps a run of the
//! search's worlds that way: the bytes of every state one after the other in one buffer (and
//! their cores in another), a few dozen per state and no allocation each, where a copy of a
//! world takes about 600 bytes and several allocations of its own. A world is unpacked into a
//! scratch world just before it is expanded. More than half the transitions leave the core
//! alone, and states reached by different paths often hold equal cores: a shelf packs each
//! core once (by the core's hash), and a state loaded after one with the same core keeps the
//! core the scratch world has.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicU64, Ordering};

use dynsup::{Pack, Pid, UnpackError};

use crate::model_check::config::SPONTANEOUS_EXITS;
use crate::model_check::fingerprint::PassThrough;
use crate::model_check::search::Shelf;
use crate::model_check::world::{Attempts, Proc, Request, Used, Waiting, World};

impl Pack for Request {
    fn pack(&self, out: &mut Vec<u8>) {
        match self {
            Request::Start(template) => out.extend_from_slice(&[0, *template]),
            Request::Terminate(pid) => {
                out.push(1);
                pid.pack(out);
            }
            Request::Which => out.push(2),
            Request::Count => out.push(3),
            Request::Stop => out.push(4),
        }
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        match u8::unpack(input)? {
            0 => u8::unpack(input).map(Request::Start),
            1 => Pid::unpack(input).map(Request::Terminate),
            2 => Ok(Request::Which),
            3 => Ok(Request::Count),
            4 => Ok(Request::Stop),
            tag => Err(UnpackError::BadTag {
                what: "Request",
                tag,
            }),
        }
    }
}

/// A process's four flags and its exit in flight (0 for none, else one more than its class's
/// index in [`SPONTANEOUS_EXITS`]) in one byte, then its template, pid and instants.
impl Pack for Proc {
    fn pack(&self, out: &mut Vec<u8>) {
        let exit = self.exit.map_or(0, |how| {
            let index = SPONTANEOUS_EXITS.iter().position(|class| *class == how);
            index.map_or(0, |index| index as u8 + 1)
        });
        let flags = u8::from(self.alive)
            | u8::from(self.shutdown_in_flight) << 1
            | u8::from(self.kill_in_flight) << 2
            | u8::from(self.owed) << 3
            | exit << 4;
        out.extend_from_slice(&[flags, self.template]);
        self.pid.pack(out);
        self.stops_at.pack(out);
        self.signalled_at.pack(out);
    }

    fn unpack(input: &mut &[u8]) -> Result<Self, UnpackError> {
        let flags = u8::unpack(input)?;
        let exit = match flags >> 4 {
            0 => None,
            code => Some(*SPONTANEOUS_EXITS.get(usize::from(code - 1)).ok_or(
                UnpackError::BadTag {
                    what: "process flags",
                    tag: flags,
                },
            )?),
        };
        Ok(Proc {
            template: u8::unpack(input)?,
            pid: Pid::unpack(input)?,
            stops_at: Option::unpack(input)?,
            signalled_at: Option::unpack(input)?,
            exit,
            alive: flags & 1 != 0,
            shutdown_in_flight: flags & 2 != 0,
            kill_in_flight: flags & 4 != 0,
            owed: flags & 8 != 0,
        })
    }
}

impl World {
    /// Appends the state to `out`: everything the fingerprint hashes, and the core's cached
    /// hash. What is no part of the state (a recording, the configuration's template
    /// renamings) is not packed.
    pub fn pack(&self, out: &mut Vec<u8>) {
        self.core.pack(out);
        self.pack_rest(out);
    }

    /// Appends every field of the state but the core to `out`.
    fn pack_rest(&self, out: &mut Vec<u8>) {
        self.now.pack(out);
        self.next_pid.pack(out);
        self.procs.pack(out);
        // Which clients wait (one bit each), then their calls.
        let waiting = (0..)
            .zip(self.waiting.iter())
            .fold(0u8, |mask, (client, request)| {
                mask | u8::from(request.is_some()) << client
            });
        out.push(waiting);
        for request in self.waiting.iter().flatten() {
            request.pack(out);
        }
        out.extend_from_slice(&self.attempts.0);
        self.init.pack(out);
        let used = &self.used;
        out.extend_from_slice(&[
            used.starts,
            used.crashes,
            used.terminates,
            u8::from(used.stopped) | u8::from(used.parent_exited) << 1,
        ]);
        self.stamps.pack(out);
        self.giving_up_at.pack(out);
        self.exited.pack(out);
    }

    /// Makes this world the state packed in `bytes` by [`World::pack`] (a world of the same
    /// configuration), reusing its buffers; its recording and renamings stay as they are.
    ///
    /// # Errors
    ///
    /// [`UnpackError`] when `bytes` are not one packed world; the world is then in some
    /// valid state, not necessarily any reachable one.
    pub fn unpack_from(&mut self, mut bytes: &[u8]) -> Result<(), UnpackError> {
        self.core.unpack_from(&mut bytes)?;
        self.unpack_rest(bytes)
    }

    /// Makes every field but the core the ones [`World::pack_rest`] wrote in `bytes`.
    fn unpack_rest(&mut self, mut bytes: &[u8]) -> Result<(), UnpackError> {
        let input = &mut bytes;
        self.now = u64::unpack(input)?;
        self.next_pid = u64::unpack(input)?;
        self.procs.unpack_into(input)?;
        let mask = u8::unpack(input)?;
        if mask >> self.waiting.len() != 0 {
            return Err(UnpackError::BadTag {
                what: "waiting clients",
                tag: mask,
            });
        }
        let mut waiting = Waiting::default();
        for (client, request) in (0..).zip(waiting.iter_mut()) {
            if mask >> client & 1 != 0 {
                *request = Some(Request::unpack(input)?);
            }
        }
        self.waiting = waiting;
        let (attempts, rest) = input.split_first_chunk().ok_or(UnpackError::Truncated)?;
        self.attempts = Attempts(*attempts);
        *input = rest;
        self.init = Option::unpack(input)?;
        let ([starts, crashes, terminates, flags], rest) =
            input.split_first_chunk().ok_or(UnpackError::Truncated)?;
        self.used = Used {
            starts: *starts,
            crashes: *crashes,
            terminates: *terminates,
            stopped: flags & 1 != 0,
            parent_exited: flags & 2 != 0,
        };
        *input = rest;
        self.stamps.unpack_into(input)?;
        self.giving_up_at = Option::unpack(input)?;
        self.exited.unpack_into(input)?;
        match input.first() {
            None => Ok(()),
            Some(&tag) => Err(UnpackError::BadTag {
                what: "end of a packed world",
                tag,
            }),
        }
    }
}

/// A run of worlds, packed one after the other; each core once.
///
/// Cores are told apart by their hash, as the search tells states apart by their fingerprint,
/// which begins with it: a state may come back with an earlier state's core of the same hash,
/// equal to its own in all the hash sees, so that the two states have the same fingerprint
/// and the same successors (only the table's layout may differ: tombstones not yet swept,
/// which no rule of the supervisor reads). The search already keeps one state of each
/// fingerprint.
#[derive(Debug)]
pub struct PackedWorlds {
    /// Each world: the offset of its core in `cores`, then the rest of its state.
    bytes: Vec<u8>,
    /// Where each world's bytes end.
    ends: Vec<usize>,
    /// The cores, packed one after the other.
    cores: Vec<u8>,
    /// Where in `cores` the core of each hash lies.
    core_at: HashMap<u64, usize, BuildHasherDefault<PassThrough>>,
    /// A number no other shelf has, nor this one before it was last cleared: what a scratch
    /// world's core records it was loaded from.
    id: u64,
}

/// The next shelf's number.
static NEXT_SHELF_ID: AtomicU64 = AtomicU64::new(1);

fn fresh_shelf_id() -> u64 {
    NEXT_SHELF_ID.fetch_add(1, Ordering::Relaxed)
}

impl Default for PackedWorlds {
    fn default() -> Self {
        PackedWorlds {
            bytes: Vec::new(),
            ends: Vec::new(),
            cores: Vec::new(),
            core_at: HashMap::default(),
            id: fresh_shelf_id(),
        }
    }
}

impl PackedWorlds {
    /// How many bytes the worlds take, and how many of them their distinct cores.
    #[must_use]
    pub fn bytes(&self) -> (usize, usize) {
        (self.bytes.len() + self.cores.len(), self.cores.len())
    }
}

impl Shelf<World> for PackedWorlds {
    fn push(&mut self, state: &World) {
        let cores = &mut self.cores;
        let mut pack_core = || {
            let at = cores.len();
            state.core.pack(cores);
            at
        };
        let at = match state.core.cached_hash() {
            Some(key) => *self.core_at.entry(key).or_insert_with(pack_core),
            None => pack_core(),
        };
        at.pack(&mut self.bytes);
        state.pack_rest(&mut self.bytes);
        self.ends.push(self.bytes.len());
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn reserve(&mut self, states: usize) {
        self.ends.reserve(states);
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.cores.clear();
        self.core_at.clear();
        // The cores scratch worlds were loaded from are gone.
        self.id = fresh_shelf_id();
    }

    /// Never: the states are packed.
    fn lend(&self, _index: usize) -> Option<&World> {
        None
    }

    /// Unpacks the state's core unless the scratch world's core is a copy of it (of the same
    /// origin), then the rest of the state.
    fn load(&self, index: usize, scratch: &mut World) -> bool {
        let start = match index.checked_sub(1) {
            None => Some(0),
            Some(before) => self.ends.get(before).copied(),
        };
        let Some(mut bytes) = start
            .zip(self.ends.get(index))
            .and_then(|(start, &end)| self.bytes.get(start..end))
        else {
            return false;
        };
        let Ok(at) = usize::unpack(&mut bytes) else {
            return false;
        };
        let origin = (self.id, at);
        if scratch.core.origin() != Some(origin) {
            let Some(mut core) = self.cores.get(at..) else {
                return false;
            };
            if scratch.core.unpack_from(&mut core).is_err() {
                return false;
            }
            scratch.core.set_origin(origin);
        }
        scratch.unpack_rest(bytes).is_ok()
    }
}
