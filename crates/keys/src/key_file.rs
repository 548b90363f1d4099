//! The key file: where the master keys live on disk, outside the database and its backups.
//! Owns its format, the refusal to use a file others can read, and safe creation and replacement.
//!
//! Format: text, one master key per line as 64 lowercase hex chars; the first key line is the
//! current key, further lines are retained keys; `#` comment lines and blank lines are ignored.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use zeroize::Zeroizing;

use crate::master_key::decode_hex_key;
use crate::{random, KeyError, Keyring, MasterKey};

/// A key file is a few hundred bytes; refusing anything larger keeps a wrong path (a log file, a
/// device) from being read into memory.
const MAX_FILE_LEN: u64 = 64 * 1024;

const HEADER: &str = "\
# Safe Passage master keys. Keep this file secret (mode 600) and backed up:
# without it, nothing in the database can be decrypted.
# First key line: current key. Further key lines: retained keys, still needed to decrypt.
";

/// Loads a key file. Refuses (KeyFilePermissions) if mode & 0o077 != 0 (unix), KeyFileMissing
/// if absent, KeyFileMalformed if no key or a bad line (naming the line number, never echoing
/// the content).
pub fn load(path: &Path) -> Result<Keyring, KeyError> {
    let file = File::open(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => KeyError::KeyFileMissing { path: display(path) },
        _ => io_error(path, source),
    })?;
    // Checked on the opened handle, not the path, so the file cannot be swapped in between.
    let metadata = file.metadata().map_err(|source| io_error(path, source))?;
    check_permissions(path, &metadata)?;
    if !metadata.is_file() {
        return Err(malformed(path, "not a regular file".to_owned()));
    }
    if metadata.len() > MAX_FILE_LEN {
        return Err(malformed(path, format!("larger than {MAX_FILE_LEN} bytes")));
    }

    // Sized up front so the buffer never reallocates and leaves unzeroized copies of keys.
    let mut content = Zeroizing::new(Vec::with_capacity(MAX_FILE_LEN as usize + 1));
    file.take(MAX_FILE_LEN + 1).read_to_end(&mut content).map_err(|source| io_error(path, source))?;
    if content.len() as u64 > MAX_FILE_LEN {
        return Err(malformed(path, format!("larger than {MAX_FILE_LEN} bytes")));
    }
    parse(path, &content)
}

/// Creates a new key file with a fresh key, mode 0600 from creation, never overwriting
/// (KeyFileExists). Creates the parent directory (mode 0700) if missing.
pub fn create(path: &Path) -> Result<Keyring, KeyError> {
    if let Some(dir) = parent_dir(path) {
        if !dir.exists() {
            create_private_dir(dir)?;
        }
    }
    let keyring = Keyring::new(MasterKey::generate());
    let mut file = create_new_private(path).map_err(|source| match source.kind() {
        io::ErrorKind::AlreadyExists => KeyError::KeyFileExists { path: display(path) },
        _ => io_error(path, source),
    })?;
    let written = write_content(&mut file, &keyring);
    if let Err(source) = written {
        // A half-written file would be refused as malformed on the next start, and would block
        // a retried `create`; better to leave nothing.
        drop(file);
        let _ = fs::remove_file(path);
        return Err(io_error(path, source));
    }
    sync_parent_dir(path)?;
    Ok(keyring)
}

/// Atomically replaces the key file content with the keyring (temp file 0600 in the same dir,
/// fsync, rename, fsync dir), so a crash during rotation leaves either the old or the new file,
/// never a truncated one.
pub fn write(path: &Path, keyring: &Keyring) -> Result<(), KeyError> {
    let tmp = temp_path(path);
    let mut file = create_new_private(&tmp).map_err(|source| io_error(&tmp, source))?;
    let replaced = write_content(&mut file, keyring).map_err(|source| io_error(&tmp, source)).and_then(|()| {
        drop(file);
        fs::rename(&tmp, path).map_err(|source| io_error(path, source))
    });
    if let Err(error) = replaced {
        let _ = fs::remove_file(&tmp);
        return Err(error);
    }
    sync_parent_dir(path)
}

fn parse(path: &Path, content: &[u8]) -> Result<Keyring, KeyError> {
    let mut keys: Vec<MasterKey> = Vec::new();
    for (index, line) in content.split(|&b| b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let line_number = index + 1;
        let key = decode_hex_key(line)
            .map(MasterKey::from_zeroizing)
            .map_err(|reason| malformed(path, format!("line {line_number}: {reason}")))?;
        if keys.iter().any(|known| known.id() == key.id()) {
            return Err(malformed(path, format!("line {line_number}: repeats an earlier key")));
        }
        keys.push(key);
    }
    let mut keys = keys.into_iter();
    match keys.next() {
        Some(current) => Ok(Keyring::with_retained(current, keys.collect())),
        None => Err(malformed(path, "contains no key".to_owned())),
    }
}

fn write_content(file: &mut File, keyring: &Keyring) -> io::Result<()> {
    let keys = std::iter::once(keyring.current()).chain(keyring.retained());
    let key_count = 1 + keyring.retained().len();
    // Sized up front so the buffer never reallocates and leaves unzeroized copies of keys.
    let mut content = Zeroizing::new(String::with_capacity(HEADER.len() + key_count * 65));
    content.push_str(HEADER);
    for key in keys {
        content.push_str(&key.to_hex());
        content.push('\n');
    }
    file.write_all(content.as_bytes())?;
    file.sync_all()
}

#[cfg(unix)]
fn check_permissions(path: &Path, metadata: &fs::Metadata) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyError::KeyFilePermissions { path: display(path), mode });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _metadata: &fs::Metadata) -> Result<(), KeyError> {
    Ok(())
}

/// Opens a new file that is private from the moment it exists: setting the mode afterwards would
/// leave a window in which the key is readable under the process umask.
fn create_new_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn create_private_dir(dir: &Path) -> Result<(), KeyError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| io_error(dir, source))
}

/// Makes a create or rename durable: without it a crash can lose the directory entry even
/// though the file's data was synced.
fn sync_parent_dir(path: &Path) -> Result<(), KeyError> {
    #[cfg(unix)]
    {
        let dir = parent_dir(path).unwrap_or(Path::new("."));
        File::open(dir).and_then(|dir| dir.sync_all()).map_err(|source| io_error(dir, source))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The parent directory, or `None` for a bare file name (the current directory).
fn parent_dir(path: &Path) -> Option<&Path> {
    path.parent().filter(|dir| !dir.as_os_str().is_empty())
}

/// A temp name in the same directory (rename is only atomic within one file system), random so
/// that a stale one left by a crash never blocks the next rotation.
fn temp_path(path: &Path) -> std::path::PathBuf {
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let suffix = hex::encode(random::array::<8>());
    path.with_file_name(format!(".{name}.{suffix}.tmp"))
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn io_error(path: &Path, source: io::Error) -> KeyError {
    KeyError::Io { path: display(path), source }
}

fn malformed(path: &Path, reason: String) -> KeyError {
    KeyError::KeyFileMalformed { path: display(path), reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// Writes `content` as a key file with mode 0600, as an operator would.
    fn private_file(path: &Path, content: &str) {
        let mut file = create_new_private(path).unwrap();
        file.write_all(content.as_bytes()).unwrap();
    }

    #[test]
    fn create_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let created = create(&path).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.ids(), created.ids());
        assert_eq!(loaded.current().to_hex(), created.current().to_hex());
    }

    #[cfg(unix)]
    #[test]
    fn created_with_mode_0600_and_parent_0700() {
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path().join("etc").join("safepassage");
        let path = parent.join("master.key");
        create(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&parent), 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn loading_a_0644_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        create(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        match load(&path) {
            Err(error @ KeyError::KeyFilePermissions { mode: 0o644, .. }) => {
                let message = error.to_string();
                assert!(message.contains("mode 644"), "{message}");
                assert!(message.contains("chmod 600"), "{message}");
            }
            other => panic!("expected KeyFilePermissions, got {other:?}"),
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        assert!(matches!(load(&path), Err(KeyError::KeyFilePermissions { mode: 0o640, .. })));
    }

    #[test]
    fn create_over_an_existing_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let first = create(&path).unwrap();
        assert!(matches!(create(&path), Err(KeyError::KeyFileExists { .. })));
        assert_eq!(load(&path).unwrap().ids(), first.ids());
    }

    #[test]
    fn loading_a_missing_file_is_key_file_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.key");
        match load(&path) {
            Err(KeyError::KeyFileMissing { path: shown }) => assert_eq!(shown, display(&path)),
            other => panic!("expected KeyFileMissing, got {other:?}"),
        }
    }

    #[test]
    fn malformed_line_is_named_without_echoing_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let secretish = format!("{}zz", "5e".repeat(31));
        private_file(&path, &format!("# comment\n\n{}\n{secretish}\n", "ab".repeat(32)));
        match load(&path) {
            Err(error @ KeyError::KeyFileMalformed { .. }) => {
                let message = error.to_string();
                assert!(message.contains("line 4"), "{message}");
                assert!(!message.contains("5e5e"), "{message}");
            }
            other => panic!("expected KeyFileMalformed, got {other:?}"),
        }
    }

    #[test]
    fn short_line_and_empty_file_are_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short.key");
        private_file(&short, "abcdef\n");
        match load(&short) {
            Err(KeyError::KeyFileMalformed { reason, .. }) => {
                assert!(reason.starts_with("line 1:"), "{reason}");
                assert!(!reason.contains("abcdef"), "{reason}");
            }
            other => panic!("expected KeyFileMalformed, got {other:?}"),
        }
        let empty = dir.path().join("empty.key");
        private_file(&empty, "# only comments\n\n");
        match load(&empty) {
            Err(KeyError::KeyFileMalformed { reason, .. }) => assert_eq!(reason, "contains no key"),
            other => panic!("expected KeyFileMalformed, got {other:?}"),
        }
    }

    #[test]
    fn repeated_key_is_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let line = "cd".repeat(32);
        private_file(&path, &format!("{line}\n{line}\n"));
        match load(&path) {
            Err(KeyError::KeyFileMalformed { reason, .. }) => {
                assert!(reason.starts_with("line 2:"), "{reason}")
            }
            other => panic!("expected KeyFileMalformed, got {other:?}"),
        }
    }

    #[test]
    fn tolerates_crlf_and_indentation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        private_file(&path, &format!("# keys\r\n  {}\r\n\t{}  \r\n", "01".repeat(32), "02".repeat(32)));
        let ring = load(&path).unwrap();
        assert_eq!(ring.current().id(), MasterKey::from_bytes([1; 32]).id());
        assert_eq!(ring.ids()[1], MasterKey::from_bytes([2; 32]).id());
    }

    #[test]
    fn write_then_load_keeps_current_and_retained_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let first = create(&path).unwrap();
        let rotated = first.rotate(MasterKey::generate());
        let rotated_twice = rotated.rotate(MasterKey::generate());
        write(&path, &rotated_twice).unwrap();

        let loaded = load(&path).unwrap();
        assert_eq!(loaded.ids(), rotated_twice.ids());
        assert_eq!(loaded.ids().len(), 3);
        assert_eq!(loaded.ids()[2], first.current().id());
        // Only the key file is left: the temp file was renamed over it.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn write_creates_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let ring = Keyring::new(MasterKey::generate());
        write(&path, &ring).unwrap();
        assert_eq!(load(&path).unwrap().ids(), ring.ids());
    }

    #[test]
    fn written_file_is_the_documented_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let ring = Keyring::with_retained(MasterKey::from_bytes([0xaa; 32]), vec![MasterKey::from_bytes([0xbb; 32])]);
        write(&path, &ring).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let key_lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(key_lines, vec!["aa".repeat(32), "bb".repeat(32)]);
    }

    #[test]
    fn a_directory_is_not_a_key_file() {
        let dir = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        assert!(load(dir.path()).is_err());
    }
}
