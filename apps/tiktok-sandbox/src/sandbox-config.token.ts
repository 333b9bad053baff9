/** Injection token of the resolved SandboxConfig (an interface, so it cannot be its own token). */
export const SANDBOX_CONFIG = Symbol('SANDBOX_CONFIG');
