package synth

// Version names the generator's draws: the same Version, region, scale, seed
// and year give the same files, byte for byte. Bump it whenever a change makes
// the output differ, so that what caches a generation (the demo's claims data,
// internal/demo) knows to generate again.
const Version = "2.2" // 2.2: ground_truth.json lists facteurs_legitimes_ij
