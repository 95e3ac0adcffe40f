// Package buildid identifies the running ssowiz binary, so that what one
// build recorded (a tenant file's applied state, say) is trusted only by
// the same build: another build may parse, validate or apply a file
// differently even when the file has not changed.
package buildid

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
)

// Self is the running binary's identity: the Go build ID the linker
// wrote into the executable (it changes whenever the binary's content
// does), or, where it cannot be read, the executable's path, size and
// modification time with the module's build information. It is computed
// once per process and never empty.
var Self = sync.OnceValue(self)

func self() string {
	exe, err := os.Executable()
	if err != nil {
		return fallback("", nil)
	}
	if id := fromELF(exe); id != "" {
		return "go:" + id
	}
	if id := fromRaw(exe); id != "" {
		return "go:" + id
	}
	fi, err := os.Stat(exe)
	return fallback(exe, fi)
}

// fromELF reads the build ID note (.note.go.buildid) of an ELF
// executable: a few hundred bytes near the start of the file.
func fromELF(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	// The note is namesz, descsz, type (4 bytes each), "Go\x00\x00",
	// then the ID.
	if err != nil || len(data) < 16 || !bytes.Equal(data[12:16], []byte("Go\x00\x00")) {
		return ""
	}
	descsz := int(f.ByteOrder.Uint32(data[4:8]))
	if len(data) < 16+descsz {
		return ""
	}
	return string(data[16 : 16+descsz])
}

// rawMarker starts the build ID other executable formats (Mach-O, PE)
// carry at the start of their text.
var rawMarker = []byte("\xff Go build ID: \"")

// fromRaw finds the build ID in the executable's first 32 KiB.
func fromRaw(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 32<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	i := bytes.Index(head, rawMarker)
	if i < 0 {
		return ""
	}
	rest := head[i+len(rawMarker):]
	j := bytes.IndexByte(rest, '"')
	if j <= 0 {
		return ""
	}
	return string(rest[:j])
}

// fallback identifies a binary whose build ID cannot be read by what the
// file system and the module say about it.
func fallback(exe string, fi os.FileInfo) string {
	h := sha256.New()
	fmt.Fprintf(h, "exe %s\n", exe)
	if fi != nil {
		fmt.Fprintf(h, "size %d mtime %d\n", fi.Size(), fi.ModTime().UnixNano())
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(h, "%s\n", bi.String())
	}
	return "file:" + hex.EncodeToString(h.Sum(nil))
}
