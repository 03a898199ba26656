// Barrel for src/primitives: every public export of this area. Filled as the area lands.
export {};
