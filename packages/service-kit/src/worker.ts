/** A background worker of a service: started with it, stopped before its database closes. */
export interface Worker {
  stop(): Promise<void>;
}
