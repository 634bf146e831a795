//! Which firms a name in Latin letters could stand for, by how the data set's Chinese names
//! sound: 华星精密 and 华兴精密 are both `huaxingjingmi`, so an English or pinyin card that
//! spells it cannot say which of the two it is, while a sound only one firm of the city has
//! can.

use super::blocking::{self, KeyHash, Kind};
use super::latin::pinyin_of_chars;
use super::names::SHORT;
use super::prepare::Prepared;
use super::score::core_key;
use std::collections::{HashMap, HashSet};

/// What a [`key`] is the sound of, and what tells firms sharing it apart.
#[derive(Debug, Clone, Copy)]
enum Sound {
    /// A whole Chinese core's pinyin; firms differ by their cores (华星精密 / 华兴精密).
    Whole,
    /// A brand's pinyin; firms differ by the brand's characters (华星 / 华兴).
    Homophone,
    /// A brand's pinyin; firms differ by the first four characters (华星精密 / 华星物流).
    Brand,
}

/// The key of a sound in a city. Distinct from the blocking keys (`city|prefix`) of the
/// same kind.
fn key(city: &str, sound: &str, of: Sound) -> u64 {
    let mut s = String::with_capacity(city.len() + sound.len() + 1);
    s.push_str(city);
    s.push(match of {
        Sound::Whole => '=',
        Sound::Homophone => '~',
        Sound::Brand => '^',
    });
    s.push_str(sound);
    blocking::hash(Kind::CityPinyin, s.as_bytes())
}

/// The sound keys that the Chinese names of several firms in one city share: a whole name's
/// sound shared by different cores (homophone twins: 华星精密 / 华兴精密), a brand's sound
/// shared by different characters (华星 / 华兴), or by names that begin differently (their
/// first four characters: 华星精密 / 华星物流).
pub(super) fn shared_sounds(records: &[Prepared]) -> HashSet<u64, KeyHash> {
    let mut first: HashMap<u64, u64, KeyHash> = HashMap::default();
    let mut several = HashSet::default();
    let mut note = |key: u64, firm: u64| {
        if *first.entry(key).or_insert(firm) != firm {
            several.insert(key);
        }
    };
    for r in records {
        let (Some(c), Some(city)) = (&r.company, r.city) else {
            continue;
        };
        if c.latin || c.core.len() < 2 {
            continue;
        }
        let brand = pinyin_of_chars(&c.core[..2]);
        note(key(city, &brand, Sound::Homophone), core_key(&c.core[..2]));
        if c.core.len() > SHORT {
            let whole = pinyin_of_chars(&c.core);
            note(key(city, &whole, Sound::Whole), core_key(&c.core));
            note(key(city, &brand, Sound::Brand), core_key(&c.core[..4]));
        }
    }
    several
}

/// True when a Latin-letter core (trade words already in pinyin) could stand for several
/// firms of `city` that the Chinese core `chinese` sounds like: when it spells the whole
/// core, the firms whose whole name, or brand with other characters, sounds so (homophone
/// twins); else (a translated or missing trade) also the firms of that brand in other trades.
pub(super) fn several(
    shared: &HashSet<u64, KeyHash>,
    city: &str,
    latin_core: &[char],
    chinese: &[char],
) -> bool {
    let is_shared = |sound: &str, of: Sound| shared.contains(&key(city, sound, of));
    let whole = pinyin_of_chars(chinese);
    let brand = pinyin_of_chars(&chinese[..2.min(chinese.len())]);
    is_shared(&brand, Sound::Homophone)
        || if latin_core.iter().copied().eq(whole.chars()) {
            is_shared(&whole, Sound::Whole)
        } else {
            is_shared(&brand, Sound::Brand)
        }
}

/// True when `spoken` (a Latin-letter core, trade words in pinyin) is the sound of the whole
/// names of several firms of `city`.
pub(super) fn shared_whole(shared: &HashSet<u64, KeyHash>, city: &str, spoken: &[char]) -> bool {
    let sound: String = spoken.iter().collect();
    shared.contains(&key(city, &sound, Sound::Whole))
}
