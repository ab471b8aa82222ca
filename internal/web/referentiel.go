package web

// referentielRoutes registers the référentiels search API and the "Base
// documentaire" pages. Owned by the référentiels work; empty until it lands.
func (s *Server) referentielRoutes() {}
