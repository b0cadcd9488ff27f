mod mj_vectors;
