// Barrel for src/executors: every public export of this area. Filled as the area lands.
export {};
