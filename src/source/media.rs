//! Recognises media files (images, fonts, audio, video) that cannot hold text worth scanning,
//! by extension and by magic bytes. Every other binary is scanned as raw bytes: secrets sit in
//! native libraries and bundles as plain strings.

use std::path::Path;

const MEDIA_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "icns", "webp", "avif", "heic", "heif", "tif",
    "tiff", "psd", "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "m4a", "m4v", "aac", "wav",
    "ogg", "oga", "ogv", "opus", "flac", "webm", "mkv", "mov", "avi", "wmv", "flv", "mpg", "mpeg",
];

/// True when the file name's extension is a media type. Called for every file: it looks at
/// the bytes after the last `.` of the name, without parsing the path's components.
pub fn has_media_extension(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    let Some(dot) = memchr::memrchr(b'.', bytes) else {
        return false;
    };
    let ext = &bytes[dot + 1..];
    // The longest media extension has five bytes; a `/` means the dot was in a directory.
    if ext.is_empty() || ext.len() > 5 || ext.contains(&b'/') || dot == 0 || bytes[dot - 1] == b'/'
    {
        return false;
    }
    MEDIA_EXTENSIONS
        .iter()
        .any(|m| m.as_bytes().eq_ignore_ascii_case(ext))
}

/// True when `head` (the first bytes of a file) starts with a media format's magic number.
pub fn has_media_magic(head: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"GIF87a",
        b"GIF89a",
        b"wOFF",
        b"wOF2",
        b"OggS",
        b"fLaC",
        b"ID3",
        b"\x1a\x45\xdf\xa3", // Matroska / WebM
    ];
    if MAGIC.iter().any(|m| head.starts_with(m)) {
        return true;
    }
    // RIFF containers: WebP, WAV, AVI.
    if head.len() >= 12 && &head[..4] == b"RIFF" {
        return matches!(&head[8..12], b"WEBP" | b"WAVE" | b"AVI ");
    }
    // ISO base media (MP4, MOV, HEIC, AVIF): a box size then `ftyp`.
    head.len() >= 8 && &head[4..8] == b"ftyp"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_by_extension_and_magic() {
        assert!(has_media_extension(Path::new("a/logo.PNG")));
        assert!(!has_media_extension(Path::new("a/app.js")));
        assert!(!has_media_extension(Path::new("libpay.so")));
        assert!(!has_media_extension(Path::new("a/.png")));
        assert!(!has_media_extension(Path::new("a/b.png/config")));
        assert!(has_media_extension(Path::new("app.apk!res/icon.webp")));
        assert!(has_media_magic(b"\x89PNG\r\n\x1a\nrest"));
        assert!(has_media_magic(b"\0\0\0\x20ftypisom"));
        assert!(!has_media_magic(b"\x7fELF\x02\x01"));
        assert!(!has_media_magic(b""));
    }
}
