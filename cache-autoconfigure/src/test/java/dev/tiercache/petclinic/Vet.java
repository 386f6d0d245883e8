package dev.tiercache.petclinic;

import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToMany;

/** A vet with an initialised many-to-many collection, as in Spring PetClinic. */
@Entity
public class Vet implements Serializable {

	@Id
	private Long id;

	private String name;

	@ManyToMany(fetch = FetchType.EAGER)
	private Set<Specialty> specialties = new HashSet<>();

	protected Vet() {
	}

	public Vet(Long id, String name) {
		this.id = id;
		this.name = name;
	}

	public String getName() {
		return this.name;
	}

	public Set<Specialty> getSpecialties() {
		return this.specialties;
	}

}
