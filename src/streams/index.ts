// Barrel for src/streams: every public export of this area. Filled as the area lands.
export {};
