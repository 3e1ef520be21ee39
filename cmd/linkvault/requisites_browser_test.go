package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/linkvault/linkvault/archive"
	"github.com/linkvault/linkvault/internal/browsertest"
	"github.com/linkvault/linkvault/internal/fakeweb"
)

// Visual equality of the live page and its replay: a pixel differs when
// one of its channels differs by more than replayPixelTolerance (of 255);
// at most replayMaxDiff of the pixels may differ (see BENCHMARKS.md, "Page
// requisites").
const (
	replayPixelTolerance = 16
	replayMaxDiff        = 0.01
)

// startChromium starts a fresh headless Chromium (internal/browsertest)
// whose name resolution follows rules (--host-resolver-rules).
func startChromium(t *testing.T, rules string) context.Context {
	return browsertest.Start(t, 900, 700,
		chromedp.Flag("host-resolver-rules", rules),
		chromedp.Flag("font-render-hinting", "none"))
}

// screenshot opens url, waits until it has loaded (stylesheets, fonts and
// images hold the load event) and settled, and returns a PNG of the
// viewport, also written to $LINKVAULT_SCREENSHOT-NAME.png when set.
func screenshot(t *testing.T, ctx context.Context, url, name string) image.Image {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(900, 700), chromedp.Navigate(url), chromedp.Sleep(time.Second)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot of %s: %v", url, err)
	}
	if base := os.Getenv("LINKVAULT_SCREENSHOT"); base != "" {
		p := strings.TrimSuffix(base, ".png") + "-" + name + ".png"
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", url, err)
	}
	return img
}

// pixelDiff returns the fraction of pixels of a and b (of equal size) one
// of whose channels differs by more than tol (of 255).
func pixelDiff(a, b image.Image, tol uint32) float64 {
	r := a.Bounds()
	if r != b.Bounds() {
		return 1
	}
	differ := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if absDiff(r1, r2)>>8 > tol || absDiff(g1, g2)>>8 > tol || absDiff(b1, b2)>>8 > tol {
				differ++
			}
		}
	}
	return float64(differ) / float64(r.Dx()*r.Dy())
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestReplayRendersLikeTheLivePage is the end-to-end test of page
// requisites: day 1, headless Chromium shows the live styled article (web
// font, stylesheets with @import and a background image, srcset, a lazy
// image from a host refusing hotlinks); `linkvault check` archives it;
// day 3 the originals are gone, and the copy `linkvault serve` replays
// looks the same (at most replayMaxDiff of the pixels differ by more than
// replayPixelTolerance), while the fake web receives no request at all:
// everything came from serve.
func TestReplayRendersLikeTheLivePage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	font, _ := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
	web := fakeweb.New()
	defer web.Close()
	site := fakeweb.NewStyledSite(web, "styled.example.com", "img.example.net", font)
	// Both fake hosts reach the fake web; any other name fails to resolve,
	// so nothing can reach the internet.
	rules := fmt.Sprintf("MAP styled.example.com %[1]s, MAP img.example.net %[1]s, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", web.Addr())

	live := screenshot(t, startChromium(t, rules), site.ArticleURL("one"), "live")

	dir, cfgPath := styledNotes(t, web, site)
	checkStyled(t, cfgPath)

	// Day 3: the originals are gone.
	site.Vanish()
	before := web.Stats("styled.example.com").Requests + web.Stats("img.example.net").Requests

	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := archive.Open(filepath.Join(dir, "linkvault.db"), &archive.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(checkHost(newServeMux(db, cfg), nil))
	defer srv.Close()

	replay := screenshot(t, startChromium(t, rules), srv.URL+"/web/"+site.ArticleURL("one"), "replay")
	diff := pixelDiff(live, replay, replayPixelTolerance)
	t.Logf("pixels differing by more than %d/255: %.3f%%", replayPixelTolerance, 100*diff)
	if diff > replayMaxDiff {
		t.Errorf("the replay differs from the live page in %.2f%% of the pixels, want at most %.0f%% (set LINKVAULT_SCREENSHOT=/tmp/shot.png to see both)", 100*diff, 100*replayMaxDiff)
	}
	after := web.Stats("styled.example.com").Requests + web.Stats("img.example.net").Requests
	if after != before {
		t.Errorf("the replay made %d requests to the original hosts, want 0: %v %v", after-before,
			web.Stats("styled.example.com").Paths, web.Stats("img.example.net").Paths)
	}
}

// styledNotes writes notes citing the two articles of site and a config
// mapping its hosts to web; it returns the directory and the config path.
func styledNotes(t *testing.T, web *fakeweb.Web, site *fakeweb.StyledSite) (dir, cfgPath string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	note := "# Reading\n\n- " + site.ArticleURL("one") + "\n- " + site.ArticleURL("two") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "notes", "n.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath = filepath.Join(dir, "config.yaml")
	cfgText := fmt.Sprintf(`notes: [notes]
db: linkvault.db
check:
  allow_private: true
  rate: 20
  burst: 5
  resolve:
    "%[2]s:80": %[1]q
    "%[3]s:80": %[1]q
soft404: {probe: false}
archive:
  dir: warc
wayback: false
`, web.Addr(), site.Site, site.Images)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, cfgPath
}

// checkStyled runs linkvault check with the config cfgPath; it must exit 0.
func checkStyled(t *testing.T, cfgPath string) {
	t.Helper()
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"--config", cfgPath, "-q", "check"}, strings.NewReader(""), io.Discard, &stderr); code != 0 {
		t.Fatalf("linkvault check exited %d: %s", code, stderr.String())
	}
}
