package dev.tiercache.petclinic;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

/** PetClinic's cached query: a page of vets through plain {@code @Cacheable}, on a cache nobody declared. */
public interface VetRepository extends JpaRepository<Vet, Long> {

	@Cacheable("vets")
	Page<Vet> findAllBy(Pageable pageable);

}
