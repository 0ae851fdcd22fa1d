// Package fakemdm is for tests only: strict in-process fakes of the Jamf
// Pro Classic API, Fleet's configuration profile API and Kandji's custom
// profile library, each an http.Handler to put behind httptest. They are
// strict where the real servers are (shapes, authentication, 409 on
// duplicates, pagination) and do to profiles what the real ones do
// (Jamf rewrites UUIDs). Seeded fault injection answers 429 and 503 or
// carries a write out and then loses its answer.
package fakemdm

import (
	"math/rand/v2"
	"net/http"
	"sync"
)

// Fault is what the fake does to one request instead of answering it.
type Fault int

// The faults.
const (
	NoFault Fault = iota
	// Throttle answers 429 with Retry-After: 1, doing nothing.
	Throttle
	// Unavailable answers 503 with Retry-After: 1, doing nothing.
	Unavailable
	// Lose carries a write out and then answers 500, as a proxy that
	// timed out would: the client cannot tell it was done.
	Lose
)

// Faults injects faults at random, reproducibly from a seed.
type Faults struct {
	mu   sync.Mutex
	rng  *rand.Rand
	rate float64
	// Injected counts the faults of each kind.
	Injected map[Fault]int
}

// NewFaults injects a fault into a share rate of the requests.
func NewFaults(seed uint64, rate float64) *Faults {
	return &Faults{rng: rand.New(rand.NewPCG(seed, 7)), rate: rate, Injected: map[Fault]int{}}
}

// next picks the fault for a request; Lose only for writes.
func (f *Faults) next(r *http.Request) Fault {
	if f == nil {
		return NoFault
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng.Float64() >= f.rate {
		return NoFault
	}
	k := Fault(1 + f.rng.IntN(3))
	if k == Lose && r.Method == http.MethodGet {
		k = Throttle
	}
	f.Injected[k]++
	return k
}

// Count is the number of faults injected.
func (f *Faults) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.Injected {
		n += c
	}
	return n
}

// before answers the request's fault when it comes before the work; it
// reports whether the request was answered, and whether to lose the
// answer after the work.
func before(f *Faults, w http.ResponseWriter, r *http.Request) (answered, lose bool) {
	switch f.next(r) {
	case Throttle:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return true, false
	case Unavailable:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return true, false
	case Lose:
		return false, true
	}
	return false, false
}

// lossy is a ResponseWriter that drops the answer and sends a 500 in its
// place.
type lossy struct {
	http.ResponseWriter
	header http.Header
}

func (l *lossy) Header() http.Header         { return l.header }
func (l *lossy) WriteHeader(int)             {}
func (l *lossy) Write(b []byte) (int, error) { return len(b), nil }

func (l *lossy) finish() {
	http.Error(l.ResponseWriter, "upstream timed out", http.StatusInternalServerError)
}

// serveFaulty runs h with the faults of f.
func serveFaulty(f *Faults, w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request)) {
	answered, lose := before(f, w, r)
	if answered {
		return
	}
	if lose {
		l := &lossy{ResponseWriter: w, header: http.Header{}}
		h(l, r)
		l.finish()
		return
	}
	h(w, r)
}
