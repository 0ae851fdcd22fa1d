package schema

import "sync"

// factsDB is Apple's schema combined with ProfileManifests' facts.
type factsDB struct {
	payloads map[string]*Payload // only the types ProfileManifests adds to or defines
	types    []string
}

var (
	factsOnce sync.Once
	facts     *factsDB
)

func getFacts() *factsDB {
	factsOnce.Do(func() {
		// ProfileManifests' data is wired in by the next commit; until then
		// Facts answers from Apple's schema alone.
		facts = &factsDB{payloads: map[string]*Payload{}, types: Types()}
	})
	return facts
}
