package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/linkvault/linkvault/internal/fakegithub"
)

// fakeClock is a clock that sleeping advances.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func newBatcher(t testing.TB, gh *fakegithub.Server, clock *fakeClock) *repoBatcher {
	srv := httptest.NewServer(gh)
	t.Cleanup(srv.Close)
	return &repoBatcher{
		client: srv.Client(), endpoint: graphQLEndpoint(srv.URL), token: "t0ken",
		maxWait: time.Minute, retries: 3, now: clock.Now, sleep: clock.Sleep,
	}
}

func fakeRepos(n int) (map[string]fakegithub.Repo, []string) {
	repos := map[string]fakegithub.Repo{}
	var names []string
	pushed := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		name := fmt.Sprintf("owner%d/repo-%d", i%37, i)
		names = append(names, name)
		repos[name] = fakegithub.Repo{PushedAt: pushed.Add(time.Duration(i) * time.Minute), Commit: fmt.Sprintf("%040x", i), Archived: i%10 == 3}
	}
	return repos, names
}

func TestRepoBatcher(t *testing.T) {
	repos, names := fakeRepos(250)
	gh := fakegithub.New(repos)
	for i := 0; i < 250; i += 25 {
		gh.Remove(names[i])
	}
	gh.Rename(names[7], "NewOwner/renamed-7")
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	b := newBatcher(t, gh, clock)
	got, err := b.lookup(context.Background(), names)
	if err != nil {
		t.Fatal(err)
	}
	if b.requests != 3 || !slices.Equal(gh.Queries, []int{100, 100, 50}) {
		t.Errorf("%d requests of %v repositories, want 3 of [100 100 50]", b.requests, gh.Queries)
	}
	for i, n := range names {
		g := got[n]
		switch {
		case g == nil:
			t.Fatalf("%s: not answered", n)
		case i%25 == 0:
			if g.Exists {
				t.Errorf("%s: exists, want missing", n)
			}
		case i == 7:
			if !g.Exists || g.RenamedTo != "NewOwner/renamed-7" {
				t.Errorf("%s: %+v, want renamed to NewOwner/renamed-7", n, g)
			}
		default:
			if !g.Exists || g.Archived != (i%10 == 3) || g.Commit != fmt.Sprintf("%040x", i) || g.DefaultBranch != "main" || g.PushedAt.IsZero() || g.RenamedTo != "" {
				t.Errorf("%s: %+v", n, g)
			}
		}
	}
}

func TestRepoBatcherRateLimits(t *testing.T) {
	repos, names := fakeRepos(300)
	t.Run("primary limit: wait until the reset", func(t *testing.T) {
		gh := fakegithub.New(repos)
		clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
		gh.Now, gh.Limit, gh.Window = clock.Now, 2, 10*time.Minute
		b := newBatcher(t, gh, clock)
		b.maxWait = time.Hour
		got, err := b.lookup(context.Background(), names)
		if err != nil || len(got) != 300 {
			t.Fatalf("lookup: %d answered, %v", len(got), err)
		}
		if len(clock.slept) != 1 || clock.slept[0] < 9*time.Minute || clock.slept[0] > 11*time.Minute {
			t.Errorf("slept %v, want once until the reset (10 min)", clock.slept)
		}
	})
	t.Run("primary limit beyond the longest wait", func(t *testing.T) {
		gh := fakegithub.New(repos)
		clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
		gh.Now, gh.Limit, gh.Window = clock.Now, 2, time.Hour
		b := newBatcher(t, gh, clock)
		got, err := b.lookup(context.Background(), names)
		if !errors.Is(err, errRateLimited) || len(got) != 200 {
			t.Errorf("lookup: %d answered, %v; want 200 and errRateLimited", len(got), err)
		}
		if len(clock.slept) != 0 {
			t.Errorf("slept %v, want no wait longer than maxWait", clock.slept)
		}
	})
	t.Run("secondary limit: Retry-After", func(t *testing.T) {
		gh := fakegithub.New(repos)
		clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
		gh.Now, gh.SecondaryEvery, gh.SecondaryWait = clock.Now, 2, 7
		b := newBatcher(t, gh, clock)
		got, err := b.lookup(context.Background(), names)
		if err != nil || len(got) != 300 {
			t.Fatalf("lookup: %d answered, %v", len(got), err)
		}
		if !slices.Equal(clock.slept, []time.Duration{7 * time.Second, 7 * time.Second}) {
			t.Errorf("slept %v, want 7s after each 429", clock.slept)
		}
	})
	t.Run("no token: not retried", func(t *testing.T) {
		gh := fakegithub.New(repos)
		clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
		b := newBatcher(t, gh, clock)
		b.token = ""
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Del("Authorization")
			gh.ServeHTTP(w, r)
		}))
		defer srv.Close()
		b.endpoint = srv.URL + "/graphql"
		_, err := b.lookup(context.Background(), names)
		if err == nil || gh.Requests() != 1 {
			t.Errorf("lookup without a token: %v after %d requests, want an error after 1", err, gh.Requests())
		}
	})
}

func TestGraphQLEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.github.com":          "https://api.github.com/graphql",
		"https://api.github.com/":         "https://api.github.com/graphql",
		"https://ghe.example.com/api/v3":  "https://ghe.example.com/api/graphql",
		"https://ghe.example.com/api/v3/": "https://ghe.example.com/api/graphql",
	} {
		if got := graphQLEndpoint(in); got != want {
			t.Errorf("graphQLEndpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkRepoBatcher6000 looks 6,000 repositories up against the fake
// GitHub with its documented limits (5,000 points an hour, secondary limit
// every 25 requests with Retry-After: 1 s), with a file link in every
// third (its ref and REF:PATH, 4,000 objects in the same queries):
// requests/op must stay ≤ 100.
func BenchmarkRepoBatcher6000(b *testing.B) {
	repos, names := fakeRepos(6000)
	asks := make([]repoAsk, len(names))
	for i, n := range names {
		asks[i] = repoAsk{repo: n}
		if i%3 == 0 {
			r := repos[n]
			r.Files = map[string][]string{"main": {"README.md"}}
			repos[n] = r
			asks[i].exprs = []string{"main", "main:README.md"}
		}
	}
	for b.Loop() {
		gh := fakegithub.New(repos)
		gh.SecondaryEvery, gh.SecondaryWait = 25, 1
		srv := httptest.NewServer(gh)
		rb := &repoBatcher{client: srv.Client(), endpoint: graphQLEndpoint(srv.URL), token: "t", maxWait: time.Minute, retries: 3, now: time.Now, sleep: sleepCtx}
		got, err := rb.lookupObjects(context.Background(), asks)
		srv.Close()
		if err != nil || len(got) != 6000 {
			b.Fatalf("%d answered: %v", len(got), err)
		}
		if a := got[names[3]]; a == nil || a.objects["main:README.md"] != "Blob" {
			b.Fatalf("the file of %s not answered: %+v", names[3], a)
		}
		b.ReportMetric(float64(rb.requests), "requests/op")
	}
}
