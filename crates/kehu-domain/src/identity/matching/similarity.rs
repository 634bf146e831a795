//! String similarity on characters, so one Chinese character counts as one edit (byte-based
//! measures would count three).

/// Edit distance (insertions, deletions, substitutions) between `a` and `b`.
pub(super) fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    // Names mostly differ in the middle or the end: the shared ends cost nothing.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let (a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
    if b.is_empty() {
        return a.len();
    }
    // One row of the table; on the stack for the short strings names are.
    let mut stack = [0usize; 64];
    let mut heap = Vec::new();
    let row: &mut [usize] = if b.len() < stack.len() {
        &mut stack[..=b.len()]
    } else {
        heap.resize(b.len() + 1, 0);
        &mut heap
    };
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if x == y {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// 1 − distance / longer length: 1 for equal strings, 0 for nothing in common.
pub(super) fn similarity<T: PartialEq>(a: &[T], b: &[T]) -> f32 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - levenshtein(a, b) as f32 / longest as f32
}

/// True when every element of `short` appears in `long` in order (`华星机械` in `华星精密机械`).
pub(super) fn is_subsequence<T: PartialEq>(short: &[T], long: &[T]) -> bool {
    let mut rest = long.iter();
    short.iter().all(|x| rest.any(|y| y == x))
}

/// Length of the common prefix.
pub(super) fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn one_chinese_character_is_one_edit() {
        assert_eq!(levenshtein(&chars("华星精密"), &chars("华兴精密")), 1);
        assert_eq!(levenshtein(&chars("华星精密"), &chars("华星精密机械")), 2);
        assert_eq!(levenshtein(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(similarity(&chars("华星精密"), &chars("华兴精密")), 0.75);
        assert!(is_subsequence(&chars("华星机械"), &chars("华星精密机械")));
        assert!(!is_subsequence(&chars("机械华星"), &chars("华星精密机械")));
    }

    #[test]
    fn long_strings_leave_the_stack() {
        let a = "a".repeat(100);
        let b = "b".repeat(90);
        assert_eq!(levenshtein(a.as_bytes(), b.as_bytes()), 100);
    }

    /// The textbook table, to check the trimmed one against.
    fn naive(a: &[char], b: &[char]) -> usize {
        let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
            }
        }
        d[a.len()][b.len()]
    }

    proptest! {
        #[test]
        fn distance_agrees_with_the_textbook_and_is_symmetric(
            a in "[华星兴精密ab]{0,12}", b in "[华星兴精密ab]{0,12}"
        ) {
            let (a, b) = (chars(&a), chars(&b));
            prop_assert_eq!(levenshtein(&a, &b), naive(&a, &b));
            prop_assert_eq!(levenshtein(&a, &b), levenshtein(&b, &a));
            let s = similarity(&a, &b);
            prop_assert!((0.0..=1.0).contains(&s));
        }
    }
}
