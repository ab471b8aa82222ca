package auth

import "context"

// VerifyProbe is Verify with probe run while the slot is held; tests use it to
// observe the bound.
func (h *Hasher) VerifyProbe(ctx context.Context, hash, password string, probe func()) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	probe()
	return VerifyPassword(hash, password), nil
}
