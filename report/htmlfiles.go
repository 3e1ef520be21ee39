package report

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"path"
	"path/filepath"
	"strings"

	"github.com/linkvault/linkvault"
)

// HTMLFiles says where WriteHTML writes the HTML report and its copies, and
// how it reaches the archive and the disk: report renders, and the caller
// (the CLI) owns the archive, the decoding of fetched pages and the way
// files are written.
type HTMLFiles struct {
	Page   string // path of the report's page
	Dir    string // directory of the archived copies
	DirURL string // Dir as a URL relative to Page

	// Open opens the stored payload of a capture as it was sent, with the
	// response header (archive.OpenPayload).
	Open func(linkvault.Capture) (io.ReadCloser, http.Header, error)
	// Decode turns the bytes of an HTML page as fetched into UTF-8 text
	// (crawler.DecodeHTML).
	Decode func(raw []byte, contentType string) string
	// Write writes the file name whole through write (the CLI's writer
	// never leaves half a file).
	Write func(name string, write func(io.Writer) error) error
}

// WriteHTML writes the HTML report of data to f.Page. Into f.Dir it copies
// the archived copy the report offers (Offered: for a soft 404 the one
// from before it went bad, for changed content the last that matches what
// was cited) of every dead, failing, changed and moved link, and sets the
// entry's ArchivePath to it, so the folder alone lets a reader open what
// vanished; the copies are written so that a browser cannot run them (see
// classifyCopy and copyPage).
func WriteHTML(data *Data, f HTMLFiles) error {
	for i := range data.Entries {
		e := &data.Entries[i]
		switch e.State {
		case linkvault.StateDead, linkvault.StateFailing, linkvault.StateMoved, linkvault.StateChanged:
		default:
			continue
		}
		c, ok := Offered(e, data.Policy)
		if !ok {
			continue
		}
		stamp := c.Time.UTC().Format("20060102150405")
		name, err := writeCopy(f, c, filepath.Join(f.Dir, stamp))
		if err != nil {
			return fmt.Errorf("report: copy archived copy of %s: %w", e.URL, err)
		}
		e.ArchivePath = path.Join(f.DirURL, stamp, name)
	}
	return f.Write(f.Page, func(w io.Writer) error { return HTML(w, data) })
}

// maxCopyPage bounds the bytes of an archived HTML page read into memory to
// be shown in the report.
const maxCopyPage = 256 << 20

// maxCopyDecoded bounds the bytes a gzip-encoded capture decodes to.
const maxCopyDecoded = 1 << 30

// writeCopy writes the archived copy c into dir under the name and in the
// form classifyCopy chooses: an HTML page decoded to UTF-8 inside
// copyPage's sandbox, PDFs, images and plain text as they are, anything
// else as a .bin download. It returns the file name.
func writeCopy(f HTMLFiles, c linkvault.Capture, dir string) (string, error) {
	body, hdr, err := f.Open(c)
	if err != nil {
		return "", err
	}
	defer body.Close()
	var r io.Reader = body
	ctype := c.ContentType
	if ctype == "" {
		ctype = hdr.Get("Content-Type")
	}
	// The payload is stored as sent: decode gzip; another encoding can
	// only be offered as a download.
	encoded := false
	switch ce := strings.ToLower(strings.TrimSpace(hdr.Get("Content-Encoding"))); ce {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return "", err
		}
		defer zr.Close()
		r = io.LimitReader(zr, maxCopyDecoded) // a gzip bomb stops here
	default:
		encoded = true
	}
	br := bufio.NewReaderSize(r, 512)
	head, _ := br.Peek(512)
	kind, ext := classifyCopy(ctype, head)
	if encoded {
		kind, ext = copyBinary, ".bin"
	}
	name := copyName(c.URL, ext)
	dst := filepath.Join(dir, name)
	if kind != copyHTML {
		return name, f.Write(dst, func(w io.Writer) error {
			_, err := io.Copy(w, br)
			return err
		})
	}
	raw, err := io.ReadAll(io.LimitReader(br, maxCopyPage))
	if err != nil {
		return "", err
	}
	return name, f.Write(dst, func(w io.Writer) error {
		return copyPage(w, c, f.Decode(raw, ctype))
	})
}
