//! The supervisor core inside a model-checked world, with a record of whether it changed since
//! it was copied and, while it has not, the fingerprinter's state after hashing it: more than
//! half the transitions (a child exiting, a signal reaching a child, the clock moving) leave
//! the core alone, and the search then neither copies it back nor hashes it again.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use dynsup::{DynamicSupervisor, Effect, Event, Pack, UnpackError};

use crate::model_check::fingerprint::Fingerprinter;

/// The core under check: templates are named by their index, arguments are unused.
pub(crate) type Core = DynamicSupervisor<u8, ()>;

/// A core that knows whether it may have changed since it was copied. Reading goes through
/// [`Deref`]; every change goes through [`TrackedCore::get_mut`] (or a poll that returned an
/// output), which marks it changed and drops the cached hash.
pub(crate) struct TrackedCore {
    core: Core,
    /// Whether the core may differ from the one it was last copied from.
    changed: bool,
    /// The fingerprinter after hashing the core as it is now, once computed.
    hashed: Option<Fingerprinter>,
    /// The packed core this one is an exact copy of, while it has not changed since it was
    /// unpacked from there (or copied from a core that was): a shelf skips unpacking a
    /// state's core into a scratch world whose core came from the same bytes.
    origin: Option<CoreOrigin>,
}

/// Where a packed core lies: the shelf (a number no other shelf, nor the same one once
/// cleared, has) and the offset of the core's bytes in it. It names one core for good.
pub(crate) type CoreOrigin = (u64, usize);

/// The state and the record of changes (the core's origin, a search's bookkeeping, is left
/// out).
impl fmt::Debug for TrackedCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackedCore")
            .field("core", &self.core)
            .field("changed", &self.changed)
            .field("hashed", &self.hashed)
            .finish_non_exhaustive()
    }
}

impl TrackedCore {
    /// A core just made: it counts as changed (it was copied from nothing).
    pub(crate) fn new(core: Core) -> Self {
        TrackedCore {
            core,
            changed: true,
            hashed: None,
            origin: None,
        }
    }

    /// The core, to change.
    pub(crate) fn get_mut(&mut self) -> &mut Core {
        self.mark_changed();
        &mut self.core
    }

    fn mark_changed(&mut self) {
        self.changed = true;
        self.hashed = None;
        self.origin = None;
    }

    /// The hash of the core (the cached fingerprinter's [`Hasher::finish`]), when it is
    /// cached (as it is after every transition).
    pub(crate) fn cached_hash(&self) -> Option<u64> {
        self.hashed.as_ref().map(Hasher::finish)
    }

    /// The packed core this one is an exact copy of, if any.
    pub(crate) fn origin(&self) -> Option<CoreOrigin> {
        self.origin
    }

    /// Records that the core was just unpacked from `origin`.
    pub(crate) fn set_origin(&mut self, origin: CoreOrigin) {
        self.origin = Some(origin);
    }

    /// The next effect to perform; only an effect taken changes the core.
    pub(crate) fn poll_effect(&mut self) -> Option<Effect<u8, ()>> {
        let effect = self.core.poll_effect();
        if effect.is_some() {
            self.mark_changed();
        }
        effect
    }

    /// The next report event; only an event taken changes the core.
    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        let event = self.core.poll_event();
        if event.is_some() {
            self.mark_changed();
        }
        event
    }

    /// Hashes the core into a fresh fingerprinter, unless that was done since it last changed.
    pub(crate) fn hash_once(&mut self) {
        if self.hashed.is_none() {
            self.hashed = Some(self.hash_afresh());
        }
    }

    /// A fingerprinter that has hashed the core (and nothing else): the cached one, or a fresh
    /// one that hashes it now.
    pub(crate) fn fingerprinter(&self) -> Fingerprinter {
        match &self.hashed {
            Some(hasher) => hasher.clone(),
            None => self.hash_afresh(),
        }
    }

    fn hash_afresh(&self) -> Fingerprinter {
        let mut hasher = Fingerprinter::default();
        self.core.hash(&mut hasher);
        hasher
    }

    /// Makes this core equal to `source` again, given that it was copied from `source` (by
    /// [`Clone::clone_from`] or this method) and `source` has not changed since: a core that
    /// did not change since is not copied.
    pub(crate) fn restore_from(&mut self, source: &Self) {
        if self.changed {
            self.clone_from(source);
        }
    }
}

/// Packed as the core and its cached hash (the record of changes is not kept: an unpacked
/// core counts as changed).
impl TrackedCore {
    /// Appends the core and its cached hash to `out`.
    pub(crate) fn pack(&self, out: &mut Vec<u8>) {
        self.core.pack_state(out);
        match &self.hashed {
            None => out.push(0),
            Some(hasher) => {
                out.push(1);
                for lane in hasher.running_state() {
                    out.extend_from_slice(&lane.to_le_bytes());
                }
            }
        }
    }

    /// Makes this core the one packed at the front of `input`, reusing its buffers.
    pub(crate) fn unpack_from(&mut self, input: &mut &[u8]) -> Result<(), UnpackError> {
        self.origin = None;
        self.core.unpack_state(input)?;
        self.changed = true;
        self.hashed = match u8::unpack(input)? {
            0 => None,
            1 => {
                let mut lane = || -> Result<u64, UnpackError> {
                    let (word, rest) = input
                        .split_first_chunk::<8>()
                        .ok_or(UnpackError::Truncated)?;
                    *input = rest;
                    Ok(u64::from_le_bytes(*word))
                };
                Some(Fingerprinter::resumed([lane()?, lane()?]))
            }
            tag => {
                return Err(UnpackError::BadTag {
                    what: "cached hash",
                    tag,
                })
            }
        };
        Ok(())
    }
}

impl Deref for TrackedCore {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

/// A copy is unchanged since it was copied; it keeps the cached hash and the origin.
impl Clone for TrackedCore {
    fn clone(&self) -> Self {
        TrackedCore {
            core: self.core.clone(),
            changed: false,
            hashed: self.hashed.clone(),
            origin: self.origin,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.core.clone_from(&source.core);
        self.changed = false;
        self.hashed.clone_from(&source.hashed);
        self.origin = source.origin;
    }
}

/// Hashed as the core (the record and the cache are no part of the state).
impl Hash for TrackedCore {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.core.hash(state);
    }
}

#[cfg(test)]
mod tests {
    use dynsup::{CallId, ChildSpec, Instant, Options, Pid, StartOutcome};

    use super::*;
    use crate::model_check::fingerprint::fingerprint;

    fn finish(hasher: Fingerprinter) -> u64 {
        hasher.finish()
    }

    fn started() -> TrackedCore {
        let core = Core::with_options(Options::default());
        let Ok(core) = core else {
            panic!("default options are valid: {core:?}");
        };
        TrackedCore::new(core)
    }

    #[test]
    fn the_cached_hash_is_the_hash_of_the_core_as_it_is() {
        let mut tracked = started();
        tracked.hash_once();
        assert_eq!(finish(tracked.fingerprinter()), fingerprint(&*tracked));
        let result = tracked.get_mut().count_children(Instant::ZERO, CallId(3));
        assert_eq!(result, Ok(()));
        // The change dropped the cache: the fingerprinter hashes the changed core.
        assert_eq!(finish(tracked.fingerprinter()), fingerprint(&*tracked));
        tracked.hash_once();
        assert_eq!(finish(tracked.fingerprinter()), fingerprint(&*tracked));
        assert!(tracked.poll_effect().is_some());
        assert_eq!(finish(tracked.fingerprinter()), fingerprint(&*tracked));
    }

    #[test]
    fn taking_an_output_is_a_change() {
        // A core wrapped with outputs pending (a search never stores one: each transition
        // drains them, after changes that already marked the core changed).
        let mut core = started();
        let spec = ChildSpec::new(0u8, Vec::new()).validate();
        let Ok(spec) = spec else {
            panic!("a valid spec: {spec:?}");
        };
        let sup = core.get_mut();
        assert_eq!(sup.start_child(Instant::ZERO, CallId(2), spec), Ok(()));
        while sup.poll_effect().is_some() {}
        let outcome = StartOutcome::Started {
            pid: Pid(1),
            info: None,
        };
        assert_eq!(sup.handle_start_result(Instant::ZERO, outcome), Ok(()));
        // Now the reply to the call waits, and the report of the child started.
        for take_effect in [true, false] {
            let mut tracked = core.clone();
            tracked.hash_once();
            assert!(!tracked.changed);
            let taken = if take_effect {
                tracked.poll_effect().is_some()
            } else {
                tracked.poll_event().is_some()
            };
            assert!(taken, "an output waits (effect: {take_effect})");
            assert!(tracked.changed, "effect: {take_effect}");
            assert_eq!(finish(tracked.fingerprinter()), fingerprint(&*tracked));
            assert_ne!(fingerprint(&*tracked), fingerprint(&*core));
        }
    }

    #[test]
    fn a_restore_copies_back_exactly_what_changed() {
        let mut source = started();
        source.hash_once();
        let mut copy = source.clone();
        // Unchanged: polls that return nothing change nothing, and the restore keeps it equal.
        assert!(copy.poll_effect().is_none());
        assert!(copy.poll_event().is_none());
        copy.restore_from(&source);
        assert_eq!(fingerprint(&copy), fingerprint(&source));
        assert!(!copy.changed);
        // Changed: the restore copies the source back, with its cached hash.
        let result = copy.get_mut().which_children(Instant::ZERO, CallId(1));
        assert_eq!(result, Ok(()));
        assert_ne!(fingerprint(&copy), fingerprint(&source));
        copy.restore_from(&source);
        assert_eq!(fingerprint(&copy), fingerprint(&source));
        assert_eq!(finish(copy.fingerprinter()), finish(source.fingerprinter()));
        assert!(!copy.changed);
    }
}
